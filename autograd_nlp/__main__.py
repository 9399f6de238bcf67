import sys

from autograd_nlp.cli import main

sys.exit(main())
