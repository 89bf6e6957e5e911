// Schema tweaks for the definiciones tables, kept out of the database (no
// smart comments), so the peer serves an unmodified `definiciones import`.
import { jsonPgSmartTags } from "postgraphile/utils";

// The tables are named in Spanish; PostGraphile's (English) pluralize would
// make `objetivos_institucionales` the type `ObjetivosInstitucionale`.
const SINGULAR = {
  partidas: "partida",
  servicios: "servicio",
  fichas: "ficha",
  objetivos: "objetivo",
  ministeriales: "ministerial",
  institucionales: "institucional",
  productos: "producto",
};
const PLURAL = Object.fromEntries(
  Object.entries(SINGULAR).map(([plural, singular]) => [singular, plural]),
);

/** Map each word of a snake_case or camelCase name through `table`. */
function mapWords(str, table) {
  const words = str.split(/(?<=[a-z0-9])(?=[A-Z])|_/);
  let changed = false;
  const mapped = words.map((word) => {
    const lower = word.toLowerCase();
    const out = table[lower];
    if (!out) return word;
    changed = true;
    return word[0] === word[0].toUpperCase()
      ? out[0].toUpperCase() + out.slice(1)
      : out;
  });
  if (!changed) return null;
  // Keep the separator style of the input.
  return str.includes("_") ? mapped.join("_") : mapped.join("");
}

/**
 * Spanish singular/plural for the words of these tables, and short names for
 * the many-to-many connections (`ObjetivoInstitucional.productos` instead of
 * `productosByProductoObjetivoInstitucionalObjetivoInstitucionalIdAndProductoId`).
 */
export const DefinicionesInflectionPlugin = {
  name: "DefinicionesInflectionPlugin",
  version: "0.0.0",
  inflection: {
    replace: {
      singularize(previous, _options, str) {
        return mapWords(str, SINGULAR) ?? previous(str);
      },
      pluralize(previous, _options, str) {
        return mapWords(str, PLURAL) ?? previous(str);
      },
      _manyToManyRelation(_previous, _options, details) {
        return this.camelCase(
          this.pluralize(this._singularizedCodecName(details.rightTable.codec)),
        );
      },
    },
  },
};

// `objetivos_ministeriales` has two foreign keys (partida, source ficha),
// so pg-many-to-many would take it for a link table and add
// `Partida.fichas` / `Ficha.partidas` through it: not a relation of the
// domain, and it would clash with nothing but mislead. Only the two real
// link tables give many-to-many fields.
export const DefinicionesTagsPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      objetivos_ministeriales: {
        constraint: {
          fk_objetivos_ministeriales_source_ficha_id: {
            tags: { behavior: "-manyToMany" },
          },
        },
      },
    },
  },
});
