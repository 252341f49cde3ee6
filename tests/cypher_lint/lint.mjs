// Lint Cypher statements with Neo4j's own parser and semantic analysis.
// stdin: JSON {"name": "statement", ...}; stdout: JSON {"name": [diagnostics...], ...}.
import { lintCypherQuery } from "@neo4j-cypher/language-support";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const out = {};
for (const [name, text] of Object.entries(statements)) {
  // Declare every $parameter the statement uses, so only real problems remain.
  const parameters = {};
  for (const m of text.matchAll(/\$(\w+)/g)) parameters[m[1]] = "";
  const result = lintCypherQuery(text, { parameters });
  const diagnostics = (result.diagnostics ?? result).map((d) => ({
    severity: d.severity,
    message: d.message,
    line: d.range?.start?.line,
    character: d.range?.start?.character,
  }));
  out[name] = diagnostics;
}
process.stdout.write(JSON.stringify(out));
