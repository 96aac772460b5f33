"""Citizens: public report portal, ticket tracking, feedback."""
