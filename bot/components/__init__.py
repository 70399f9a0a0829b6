"""Custom Rasa graph components (thin adapters around chanyan).

Every Rasa process that loads our model imports this package, so process-wide Rasa adjustments are installed
here (see action_result_validation).
"""

from .action_result_validation import install as _install_action_result_validation

_install_action_result_validation()
