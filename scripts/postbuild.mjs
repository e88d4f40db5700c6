// Make the CLI entry executable after tsc (npm links bin files, but a local clone runs dist directly).
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);
// the process runtime's sandbox script sits beside sandbox.js
mkdirSync(new URL('../dist/nodes/process/', import.meta.url), { recursive: true });
copyFileSync(new URL('../src/nodes/process/sandbox.sh', import.meta.url), new URL('../dist/nodes/process/sandbox.sh', import.meta.url));
// the Kubernetes OpenAPI document sits beside openapi/swagger.js
mkdirSync(new URL('../dist/api/openapi/data/', import.meta.url), { recursive: true });
copyFileSync(new URL('../src/api/openapi/data/swagger.json.gz', import.meta.url), new URL('../dist/api/openapi/data/swagger.json.gz', import.meta.url));
