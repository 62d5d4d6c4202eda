"""``make chaos``: Concord under load and faults, compared with the sandbox's ground truth (see ``__main__``)."""
