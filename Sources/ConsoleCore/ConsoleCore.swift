// Module ConsoleCore: see docs/architecture.md.
