"""The CI triage surface: answer new issues and failed runs with the code they point at
(`scout triage`). May import: the API and below, `scout.llm` never (the bot needs no model)."""
