// Serves PostGraphile 5 on POST /graphql at $BIND (default 127.0.0.1:8003)
// over the database at $DATABASE_URL (schema public). See
// graphile.config.mjs for the presets and plugins.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});

// Build the schema before listening, so the port opens ready to answer.
await pgl.getSchemaResult();
await serv.addTo(server);
const { host, port } = preset.grafserv;
server.listen(port, host, () => {
  console.log(`postgraphile listening on http://${host}:${port}/graphql`);
});

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    server.close();
    Promise.resolve(serv.release?.())
      .then(() => pgl.release())
      .finally(() => process.exit(0));
  });
}
