"""Text in, words, blocks and passages out."""
