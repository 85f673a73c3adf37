"""Built-in scenario files (YAML), read with `af_inspect.scenarios.loader`."""
