"""Client organisations, requests and their workflow arrive with the intake issue."""
