"""The organization: the roles of the procedures, users with hashed passwords, and the units
they belong to."""
