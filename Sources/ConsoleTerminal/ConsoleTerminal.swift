// Module ConsoleTerminal: see docs/architecture.md.
