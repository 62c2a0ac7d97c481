"""Pages of people: sign-in, profiles, marks, flags, proposals and moderation."""
