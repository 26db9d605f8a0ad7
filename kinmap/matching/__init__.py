"""Finding a person already on the record: the blocking-key table kept current
by every change to a family, a bounded candidate lookup scored with the match
model, the search page and the check before a new person is added."""
