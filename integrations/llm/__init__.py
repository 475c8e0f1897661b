"""Language-model providers (the LangChain edge): built from settings, used by planbridge.language."""
