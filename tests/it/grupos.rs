//! `estadisticas(agruparPor: …) { grupos }`: counts grouped by any
//! combination of dimensions, checked on the sample as a person reads it
//! and on generated data against the lists themselves, on SQLite and
//! PostgreSQL.

use definiciones::store::import::import_bytes;
use serde_json::{Value, json};

use crate::helpers::{each_database, load_sample, query};

const COUNTS: &str = "servicios fichas
  objetivosInstitucionales { total estrategicos sinProductos conEnfoqueGenero }
  objetivosMinisteriales { total sinObjetivos }
  productos { total sinObjetivos }
  enlaces { institucionalMinisterial productoInstitucional }
  coberturaEstrategica coberturaMinisterial";

fn grupos(answer: &Value) -> &Vec<Value> {
    answer["estadisticas"]["grupos"]
        .as_array()
        .expect("a list of groups")
}

#[tokio::test]
async fn the_sample_grouped_by_tipo_and_by_servicio() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            &format!(
                r#"{{ porTipo: estadisticas(filter: {{ partida: "20" }}, agruparPor: [TIPO]) {{ grupos {{ tipo partida {{ codigo }} {COUNTS} }} }}
                     porServicio: estadisticas(filter: {{ partida: "20" }}, agruparPor: [SERVICIO]) {{ grupos {{ servicio {{ nombre }} tipo {COUNTS} }} }}
                     todo: estadisticas {{ grupos {{ partida {{ codigo }} {COUNTS} }} }} }}"#
            ),
        )
        .await;
        let data = answer.data();
        let tipo = data["porTipo"]["grupos"].as_array().expect("groups");
        assert_eq!(tipo.len(), 2, "{}: {tipo:?}", t.backend);
        let estrategico = tipo.iter().find(|g| g["tipo"] == "ESTRATEGICO").expect("ESTRATEGICO");
        let gestion = tipo.iter().find(|g| g["tipo"] == "GESTION_INSTITUCIONAL").expect("GESTION");
        assert_eq!(estrategico["objetivosInstitucionales"]["total"], 6);
        assert_eq!(estrategico["objetivosInstitucionales"]["sinProductos"], 0);
        assert_eq!(gestion["objetivosInstitucionales"]["total"], 3);
        assert_eq!(gestion["objetivosInstitucionales"]["sinProductos"], 3);
        // Keys not grouped by are null; under tipo, productos are those
        // serving an objective of the group.
        assert_eq!(estrategico["partida"], Value::Null);
        assert_eq!(estrategico["productos"]["total"], 10);
        assert_eq!(gestion["productos"]["total"], 0);
        assert_eq!(estrategico["coberturaEstrategica"], 1.0);
        assert_eq!(gestion["coberturaEstrategica"], Value::Null);

        let servicio = data["porServicio"]["grupos"].as_array().expect("groups");
        assert_eq!(servicio.len(), 1);
        let g = &servicio[0];
        assert_eq!(g["servicio"]["nombre"], "SECRETARIA GENERAL DE GOBIERNO");
        assert_eq!(g["tipo"], Value::Null);
        assert_eq!(g["objetivosInstitucionales"]["total"], 9);
        assert_eq!(g["productos"]["total"], 10);
        assert_eq!(g["fichas"], 1);
        assert_eq!(g["servicios"], 1);
        assert_eq!(g["enlaces"], json!({ "institucionalMinisterial": 9, "productoInstitucional": 10 }));
        assert_eq!(g["objetivosMinisteriales"]["sinObjetivos"], 0);
        assert_eq!(g["coberturaMinisterial"], 1.0);

        // No dimension: one group, the whole selection, as the totals say.
        let todo = data["todo"]["grupos"].as_array().expect("groups");
        assert_eq!(todo.len(), 1);
        assert_eq!(todo[0]["partida"], Value::Null);
        assert_eq!(todo[0]["objetivosInstitucionales"]["total"], 9);
    })
    .await;
}

#[tokio::test]
async fn groups_add_up_to_what_the_lists_count() {
    each_database(|t| async move {
        crate::helpers::load_generated(&t.db, 4, 10, 2, 5).await;
        let totals = query(&t.db, &format!("{{ estadisticas {{ {} }} }}", "fichas servicios objetivosInstitucionales { total sinProductos } productos { total sinObjetivos } objetivosMinisteriales { total }")).await;
        let totals = totals.data()["estadisticas"].clone();
        let combos = [
            "[PARTIDA]",
            "[SERVICIO]",
            "[PERIODO]",
            "[TIPO]",
            "[ENFOQUE_GENERO, CAMBIO_CLIMATICO]",
            "[PARTIDA, PERIODO, TIPO]",
            "[SERVICIO, PERIODO]",
        ];
        for combo in combos {
            let answer = query(
                &t.db,
                &format!(
                    "{{ estadisticas(agruparPor: {combo}) {{ grupos {{ partida {{ codigo }} servicio {{ capitulo partida {{ codigo }} }} periodo {{ desde hasta }} tipo enfoqueGenero cambioClimatico {COUNTS} }} }} }}"
                ),
            )
            .await;
            let answer = answer.data().clone();
            let groups = grupos(&answer);
            assert!(groups.len() > 1, "{combo}: several groups");
            let sum = |path: &[&str]| -> i64 {
                groups
                    .iter()
                    .map(|g| path.iter().fold(g, |v, k| &v[*k]).as_i64().expect("a count"))
                    .sum()
            };
            assert_eq!(
                json!(sum(&["objetivosInstitucionales", "total"])),
                totals["objetivosInstitucionales"]["total"],
                "{}: {combo} objectives",
                t.backend
            );
            assert_eq!(
                json!(sum(&["objetivosInstitucionales", "sinProductos"])),
                totals["objetivosInstitucionales"]["sinProductos"],
                "{combo}"
            );
            let by_objective = combo.contains("TIPO") || combo.contains("ENFOQUE");
            if !by_objective {
                assert_eq!(json!(sum(&["productos", "total"])), totals["productos"]["total"], "{combo} productos");
                assert_eq!(json!(sum(&["fichas"])), totals["fichas"], "{combo} fichas");
            }
            // Every group against the list it counts, filtered by its keys.
            for g in groups.iter().take(8) {
                let mut filter = Vec::new();
                if let Some(p) = g["partida"]["codigo"].as_str() {
                    filter.push(format!("partida: \"{p}\""));
                }
                if let Some(c) = g["servicio"]["capitulo"].as_str() {
                    let p = g["servicio"]["partida"]["codigo"].as_str().expect("code");
                    filter.push(format!("partida: \"{p}\", capitulo: \"{c}\""));
                }
                if g["periodo"].is_object() {
                    filter.push(format!("periodo: \"{}-{}\"", g["periodo"]["desde"], g["periodo"]["hasta"]));
                }
                if let Some(tipo) = g["tipo"].as_str() {
                    filter.push(format!("tipo: {tipo}"));
                }
                for (key, field) in [("enfoqueGenero", "enfoqueGenero"), ("cambioClimatico", "cambioClimatico")] {
                    if let Some(b) = g[key].as_bool() {
                        filter.push(format!("{field}: {b}"));
                    }
                }
                let filter = filter.join(", ");
                let lists = query(
                    &t.db,
                    &format!(
                        "{{ all: objetivosInstitucionales(filter: {{ {filter} }}) {{ totalCount }}
                           gaps: objetivosInstitucionales(filter: {{ {filter}, sinProductos: true }}) {{ totalCount }}
                           served: productos(filter: {{ objetivosInstitucionales: {{ {filter} }} }}) {{ totalCount }} }}"
                    ),
                )
                .await;
                let lists = lists.data();
                assert_eq!(g["objetivosInstitucionales"]["total"], lists["all"]["totalCount"], "{combo} {filter}");
                assert_eq!(g["objetivosInstitucionales"]["sinProductos"], lists["gaps"]["totalCount"], "{combo} {filter}");
                if by_objective {
                    assert_eq!(g["productos"]["total"], lists["served"]["totalCount"], "{combo} {filter}: productos");
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn grouping_costs_the_same_statements_however_many_groups() {
    each_database(|t| async move {
        let text = "{ estadisticas(agruparPor: [SERVICIO, PERIODO, TIPO]) { grupos { tipo objetivosInstitucionales { total } productos { total } coberturaMinisterial } } }";
        load_sample(&t.db).await;
        let small = query(&t.db, text).await;
        let few = grupos(small.data()).len();
        for (partida, capitulo) in [("21", "01"), ("22", "01"), ("22", "02")] {
            let name = format!("{partida}_{capitulo}.txt");
            let text = crate::helpers::sample_as(partida, capitulo);
            import_bytes(&t.db, &name, &name, text.as_bytes()).await.expect("imports");
        }
        let large = query(&t.db, text).await;
        assert!(grupos(large.data()).len() > few);
        assert_eq!(small.statements(), large.statements(), "{}", t.backend);
        // The groups themselves: two statements.
        let without = query(&t.db, "{ estadisticas(agruparPor: [PERIODO, TIPO]) { fichas } }").await;
        let with = query(
            &t.db,
            "{ estadisticas(agruparPor: [PERIODO, TIPO]) { fichas grupos { tipo objetivosInstitucionales { total } coberturaMinisterial } } }",
        )
        .await;
        assert_eq!(grupos(with.data()).len(), 2, "one período, two tipos");
        assert_eq!(with.statements(), without.statements() + 2, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn estadisticas_take_the_objectives_filter_and_a_range_of_anos() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let counts = "partidas servicios fichas objetivosInstitucionales { total sinProductos } productos { total }
            enlaces { productoInstitucional } porPartida { codigo objetivosInstitucionales { total } }
            porPeriodo { periodo { desde } objetivosInstitucionales { total } }";
        let answer = query(
            &t.db,
            &format!(
                r#"{{ estrategicos: estadisticas(filter: {{ partida: "20", objetivosInstitucionales: {{ tipo: ESTRATEGICO }} }}) {{ {counts} }}
                     gestion: estadisticas(filter: {{ objetivosInstitucionales: {{ not: {{ tipo: ESTRATEGICO }} }} }}) {{ {counts} }}
                     discriminacion: estadisticas(filter: {{ objetivosInstitucionales: {{ objetivosMinisteriales: {{ search: "discriminacion" }} }} }}) {{ {counts} }}
                     desde2026: estadisticas(filter: {{ periodoDesde: 2026 }}) {{ fichas objetivosInstitucionales {{ total }} }}
                     desde2027: estadisticas(filter: {{ periodoDesde: 2027 }}) {{ fichas objetivosInstitucionales {{ total }} }}
                     hasta2023: estadisticas(filter: {{ periodoHasta: 2023 }}) {{ fichas }} }}"#
            ),
        )
        .await;
        let data = answer.data();
        let e = &data["estrategicos"];
        assert_eq!(e["objetivosInstitucionales"], json!({ "total": 6, "sinProductos": 0 }), "{}", t.backend);
        assert_eq!(e["productos"]["total"], 10);
        assert_eq!(e["enlaces"]["productoInstitucional"], 10);
        assert_eq!((e["partidas"].clone(), e["servicios"].clone(), e["fichas"].clone()), (json!(1), json!(1), json!(1)));
        assert_eq!(e["porPartida"], json!([{ "codigo": "20", "objetivosInstitucionales": { "total": 6 } }]));
        assert_eq!(e["porPeriodo"], json!([{ "periodo": { "desde": 2024 }, "objetivosInstitucionales": { "total": 6 } }]));
        let g = &data["gestion"];
        assert_eq!(g["objetivosInstitucionales"], json!({ "total": 3, "sinProductos": 3 }));
        assert_eq!(g["productos"]["total"], 0, "no producto serves them");
        let d = &data["discriminacion"];
        assert_eq!(d["objetivosInstitucionales"]["total"], 1);
        assert_eq!(d["productos"]["total"], 1);
        assert_eq!(data["desde2026"], json!({ "fichas": 1, "objetivosInstitucionales": { "total": 9 } }));
        assert_eq!(data["desde2027"], json!({ "fichas": 0, "objetivosInstitucionales": { "total": 0 } }));
        assert_eq!(data["hasta2023"], json!({ "fichas": 0 }));

        let refused = query(&t.db, r#"{ estadisticas(filter: { periodo: "2025", periodoDesde: 2024 }) { fichas } }"#).await;
        assert_eq!(refused.code(), "BAD_USER_INPUT");
        assert!(refused.message().contains("not both"), "{}", refused.message());
    })
    .await;
}
