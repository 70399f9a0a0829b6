"""The interview engine: how one user message becomes slot updates (framework-free)."""
