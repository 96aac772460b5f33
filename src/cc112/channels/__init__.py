"""Channels: the SMS gateway (keyword reports, replies) and AML caller location."""
