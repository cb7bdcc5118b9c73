from network import access


def roles(request):
    """Expose what the signed-in user may do, so templates show only the links that work."""
    user = request.user
    return {
        "is_coordinator": access.is_coordinator(user),
        "my_consultant": access.consultant_of(user),
    }
