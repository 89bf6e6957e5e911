// PostGraphile 5 configuration for the definiciones benchmark peer.
//
// Serves the tables `definiciones import` creates in schema `public`,
// read-only (no mutations, like definiciones), with:
//   - the Amber preset (PostGraphile's default schema: connections with
//     totalCount, orderBy, condition, unique-key lookups such as
//     `partidaByCodigo`);
//   - simplified inflection (`allPartidas` -> `partidas`,
//     `servicio.partidaByPartidaId` -> `servicio.partida`, ...);
//   - postgraphile-plugin-connection-filter, with relation filters (needed
//     for the servicio lookup by partida code and for "objectives no
//     producto serves");
//   - @graphile-contrib/pg-many-to-many, so the two link tables give
//     `ObjetivoInstitucional.productos`,
//     `ObjetivoInstitucional.objetivosMinisteriales` and
//     `Producto.objetivosInstitucionales` connections;
//   - plugins.mjs: Spanish singular/plural for the table names, short
//     many-to-many field names, and no many-to-many through
//     objetivos_ministeriales (see there).
// Production-ish: no GraphiQL, no watch mode, no EXPLAIN, no GET.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";
import { PgManyToManyPreset } from "@graphile-contrib/pg-many-to-many";
import {
  DefinicionesInflectionPlugin,
  DefinicionesTagsPlugin,
} from "./plugins.mjs";

const connectionString = process.env.DATABASE_URL;
if (!connectionString) {
  throw new Error("DATABASE_URL is not set");
}

const bind = process.env.BIND || "127.0.0.1:8003";
const colon = bind.lastIndexOf(":");
const host = bind.slice(0, colon).replace(/^\[|\]$/g, "") || "127.0.0.1";
const port = Number(bind.slice(colon + 1));
if (colon < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`BIND must be HOST:PORT, got ${JSON.stringify(bind)}`);
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [
    PostGraphileAmberPreset,
    PgSimplifyInflectionPreset,
    PostGraphileConnectionFilterPreset,
    PgManyToManyPreset,
  ],
  plugins: [DefinicionesInflectionPlugin, DefinicionesTagsPlugin],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      // definiciones opens 16 connections on PostgreSQL; match it.
      poolConfig: { max: Number(process.env.PG_POOL_MAX || 16) },
    }),
  ],
  schema: {
    // definiciones is read-only: no create/update/delete mutations.
    defaultBehavior: "-insert -update -delete",
    connectionFilterRelations: true,
    connectionFilterComputedColumns: false,
    connectionFilterSetofFunctions: false,
    connectionFilterArrays: false,
  },
  grafserv: {
    host,
    port,
    graphqlPath: "/graphql",
    graphqlOverGET: false,
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
