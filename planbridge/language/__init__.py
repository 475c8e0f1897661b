"""The language layer: free text in English and Chinese → structured planning requests → replies."""
