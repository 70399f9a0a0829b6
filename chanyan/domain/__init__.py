"""The pure domain model of a request (需求单): schema, validation, money, numerals, display. No I/O."""
