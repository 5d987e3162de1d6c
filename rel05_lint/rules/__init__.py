"""One module per rule; each defines one ``Rule`` subclass. Discovered by registry."""
