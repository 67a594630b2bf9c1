"""Classic mistakes, written as wrong variants of the reference solutions."""
