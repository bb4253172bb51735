"""The MCP surface: `scout mcp`, the server agent harnesses call (`server`), the repositories it
serves (`repos`) and what its tools hand back (`output`). May import: the API and below."""
