"""The chapter models of Deep Learning from Scratch 2, forward code only."""
