"""The handbook (wiki, meetings, decisions) arrives with the handbook issue."""
