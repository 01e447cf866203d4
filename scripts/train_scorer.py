#!/usr/bin/env python
"""Train the default scorer from the labelled sets in ../shared/data (see social_care/scoring/train.py)."""

import sys

from social_care.scoring.train import main

if __name__ == "__main__":
    sys.exit(main())
