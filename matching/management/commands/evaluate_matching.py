"""``manage.py evaluate_matching [--data DIR] [--source NAME] [--quick]``: recognition quality.

For each source (``matching.evaluation``: Stack Overflow tag synonyms, Linguist aliases, ESCO ICT
alternative labels, TECH benchmark spans) it builds a normalizer from the source's taxonomy (the
held-back aliases are never in it), then prints, beside a plain rapidfuzz baseline run here on
the same terms (the same exact stage, then ``process.extractOne`` with ``fuzz.WRatio`` at
least ``evaluation.BASELINE_CUTOFF``): top-1 (right/total), coverage (answered/total),
precision (right/answered), accuracy@3, top-1 with one seeded typo per term against clean,
abstention on TECH's "LABEL NOT PRESENT" spans, the build time and normalizations a second
(batched for the normalizer, one call a term for the baseline; wall-clock, with the build's
CPU time beside it, since a busy machine stretches the wall clock). Then extraction precision,
recall and F1 on the TECH validation sentences. ``--quick`` keeps only the test bucket of the
held-back aliases and skips extraction.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching import evaluation as ev
from matching import learned
from matching.normalize import Normalizer


class Command(BaseCommand):
    requires_system_checks = []
    help = "Measure skill normalization and extraction on the public data, beside rapidfuzz."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            type=Path,
            default=ev.DATA_DIR,
            metavar="DIR",
            help=f"the shared data folder (default {ev.DATA_DIR})",
        )
        parser.add_argument("--source", choices=ev.SOURCES, action="append")
        parser.add_argument("--quick", action="store_true")

    def handle(self, *args, data: Path, source: list[str] | None, quick: bool, **options):
        if not ev.available(data):
            raise CommandError(
                _(
                    "Evaluation data not found in %(folder)s (expected "
                    "stackoverflow-tag-synonyms/TagSynonyms.csv there); pass --data DIR."
                )
                % {"folder": data}
            )
        names = source or list(ev.SOURCES)
        self.stdout.write(
            "source         method     top-1               coverage  precision  acc@3   "
            "typo top-1 (clean)  abstain  build s  terms/s"
        )
        tops, precisions = [], []
        tech_normalizer = tech_baseline = None
        for name in names:
            src = ev.load_source(name, data)
            if quick and name != "tech":
                src = ev.Source(src.name, src.taxonomy, _test_bucket(src), src.unknown)
            learned.clear_cache()  # time a real build, not the in-process cache
            started, cpu = time.perf_counter(), time.process_time()
            normalizer = Normalizer.from_taxonomy(src.taxonomy)
            build_s = time.perf_counter() - started
            build_cpu_s = time.process_time() - cpu
            started = time.perf_counter()
            baseline = ev.RapidfuzzBaseline(src.taxonomy, normalizer.exact)
            baseline_s = time.perf_counter() - started
            ours = ev.evaluate(src, normalizer, build_s)
            theirs = ev.evaluate(src, baseline, baseline_s, baseline=True)
            self._line(name, "learned", ours, build_cpu_s)
            self._line("", "rapidfuzz", theirs)
            tops.append(ours.scores.accuracy)
            precisions.append(ours.scores.precision)
            if name == "tech":
                tech_normalizer, tech_baseline = normalizer, baseline
        if len(tops) > 1:
            self.stdout.write(
                f"macro over {len(tops)} sources: top-1 {sum(tops) / len(tops):.3f}, "
                f"precision {sum(precisions) / len(precisions):.3f}"
            )
        if quick:
            return
        if tech_normalizer is None:
            src = ev.load_source("tech", data)
            tech_normalizer = Normalizer.from_taxonomy(src.taxonomy)
            tech_baseline = ev.RapidfuzzBaseline(src.taxonomy, tech_normalizer.exact)
        sentences = ev.tech_sentences(data, "validation")
        for label, extractor in (("learned", tech_normalizer), ("rapidfuzz", tech_baseline)):
            scores = ev.score_extraction(extractor, sentences)
            self.stdout.write(
                f"TECH validation extraction, {label}: precision {scores.precision:.3f}, "
                f"recall {scores.recall:.3f}, F1 {scores.f1:.3f} ({scores.sentences} sentences, "
                f"{scores.gold} gold, {scores.predicted} found)"
            )

    def _line(
        self, name: str, method: str, report: ev.SourceReport, cpu_s: float | None = None
    ) -> None:
        s, t = report.scores, report.typo
        clean = f"{t.accuracy:.3f} ({s.accuracy:.3f})"
        abstain = "" if report.abstention is None else f"{report.abstention:.3f}"
        self.stdout.write(
            f"{name:<14} {method:<10} {s.accuracy:.3f} ({s.right:>4}/{s.total:>4})  "
            f"{s.coverage:.3f}     {s.precision:.3f}      {s.accuracy_at_3:.3f}   {clean:<19} "
            f"{abstain:<8} {report.build_s:>7.2f}  {report.per_second:>7.0f}"
            + f"  CPU: {report.per_cpu_second:.0f} terms/s"
            + ("" if cpu_s is None else f", build {cpu_s:.2f} s")
        )


def _test_bucket(src: ev.Source) -> list[tuple[str, str]]:
    return [
        (alias, canonical)
        for alias, canonical in src.pairs
        if ev.bucket(src.name, canonical, alias) == ev.TEST_BUCKET
    ]
