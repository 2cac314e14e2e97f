"""Built-in task plugins, one subpackage per task family."""
