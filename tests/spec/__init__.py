"""Tests of the state transition spec (``sequencer/spec``)."""
