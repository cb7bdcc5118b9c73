from django.http import Http404
from django.shortcuts import render

from intake.services import request_for_status_token


def request_status(request, token):
    client_request = request_for_status_token(token)
    if client_request is None:
        raise Http404("No such request.")
    return render(request, "intake/status.html", {"client_request": client_request})
