//! The importer against real databases: whole fichas or nothing,
//! idempotence, replacement, and the ministry objectives fichas share.

use definiciones::store::export;
use definiciones::store::import::{ImportError, Outcome, import_bytes};
use entity::prelude::*;
use entity::{objetivo_institucional, objetivo_ministerial, producto};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::helpers::{
    Fichas, SAMPLE, SAMPLE_NAME, each_database, migrated_again_from, read_dir, sample_as,
};

/// Rows in every table, in a fixed order.
async fn counts(db: &DatabaseConnection) -> [u64; 8] {
    [
        Partida::find().count(db).await.expect("count"),
        Servicio::find().count(db).await.expect("count"),
        Ficha::find().count(db).await.expect("count"),
        ObjetivoMinisterial::find().count(db).await.expect("count"),
        ObjetivoInstitucional::find()
            .count(db)
            .await
            .expect("count"),
        Producto::find().count(db).await.expect("count"),
        ObjetivoInstitucionalMinisterial::find()
            .count(db)
            .await
            .expect("count"),
        ProductoObjetivoInstitucional::find()
            .count(db)
            .await
            .expect("count"),
    ]
}

/// The stored ministry objective with this prioridad.
async fn ministry_objective(
    db: &DatabaseConnection,
    prioridad: i32,
) -> objetivo_ministerial::Model {
    ObjetivoMinisterial::find()
        .filter(objetivo_ministerial::Column::Prioridad.eq(prioridad))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("ministry objective {prioridad}"))
}

async fn import(db: &DatabaseConnection, name: &str, text: &str) -> Result<Outcome, ImportError> {
    import_bytes(db, name, name, text.as_bytes()).await
}

#[tokio::test]
async fn sample_is_stored_with_every_row_and_link() {
    each_database(|t| async move {
        let outcome = import(&t.db, SAMPLE_NAME, SAMPLE)
            .await
            .expect("sample imports");
        assert_eq!(outcome, Outcome::Imported, "{}", t.backend);
        assert_eq!(
            counts(&t.db).await,
            [1, 1, 1, 9, 9, 10, 9, 10],
            "{}",
            t.backend
        );

        let ficha = Ficha::find()
            .one(&t.db)
            .await
            .expect("query")
            .expect("a ficha");
        assert_eq!((ficha.desde, ficha.hasta, ficha.line), (2024, 2026, 3));
        assert_eq!(ficha.source_file, SAMPLE_NAME);
        assert_eq!(
            ficha.sha256,
            definiciones::store::import::sha256_hex(SAMPLE.as_bytes())
        );
    })
    .await;
}

#[tokio::test]
async fn producto_3_serves_objective_1_which_serves_ministry_objective_1_and_back() {
    each_database(|t| async move {
        import(&t.db, SAMPLE_NAME, SAMPLE)
            .await
            .expect("sample imports");
        let p3 = Producto::find()
            .filter(producto::Column::Numero.eq(3))
            .one(&t.db)
            .await
            .expect("query")
            .expect("producto 3");
        assert_eq!(p3.nombre, "Diálogos con la sociedad civil.");
        assert_eq!(p3.line, 54);
        let objetivos = p3
            .find_related(ObjetivoInstitucional)
            .all(&t.db)
            .await
            .expect("query");
        assert_eq!(
            objetivos.iter().map(|o| o.prioridad).collect::<Vec<_>>(),
            [1]
        );
        let ministeriales = objetivos[0]
            .find_related(ObjetivoMinisterial)
            .all(&t.db)
            .await
            .expect("query");
        assert_eq!(
            ministeriales
                .iter()
                .map(|o| o.prioridad)
                .collect::<Vec<_>>(),
            [1]
        );
        let partida = ministeriales[0]
            .find_related(Partida)
            .one(&t.db)
            .await
            .expect("query")
            .expect("partida");
        assert_eq!(partida.codigo, "20");

        // And back: ministry objective 1 is served by institutional objective 1,
        // which producto 3 serves.
        let back = ministeriales[0]
            .find_related(ObjetivoInstitucional)
            .all(&t.db)
            .await
            .expect("query");
        assert_eq!(back.iter().map(|o| o.prioridad).collect::<Vec<_>>(), [1]);
        let productos = back[0]
            .find_related(Producto)
            .all(&t.db)
            .await
            .expect("query");
        assert_eq!(productos.iter().map(|p| p.numero).collect::<Vec<_>>(), [3]);
    })
    .await;
}

#[tokio::test]
async fn same_bytes_again_are_unchanged_and_nothing_is_written() {
    each_database(|t| async move {
        import(&t.db, SAMPLE_NAME, SAMPLE)
            .await
            .expect("first import");
        let before = Ficha::find().one(&t.db).await.expect("query");
        let again = import(&t.db, "copy.txt", SAMPLE)
            .await
            .expect("second import");
        assert_eq!(again, Outcome::Unchanged);
        // Same content in another layout: CRLF and a byte-order mark.
        let crlf = format!("\u{feff}{}", SAMPLE.replace('\n', "\r\n"));
        assert_eq!(
            import(&t.db, "crlf.txt", &crlf).await.expect("crlf"),
            Outcome::Unchanged
        );
        assert_eq!(Ficha::find().one(&t.db).await.expect("query"), before);
        assert_eq!(counts(&t.db).await, [1, 1, 1, 9, 9, 10, 9, 10]);
    })
    .await;
}

#[tokio::test]
async fn new_content_for_a_stored_period_replaces_the_old_rows() {
    each_database(|t| async move {
        import(&t.db, SAMPLE_NAME, SAMPLE)
            .await
            .expect("first import");
        let id = Ficha::find()
            .one(&t.db)
            .await
            .expect("query")
            .expect("ficha")
            .id;
        // Drop producto 10, rename producto 3 and point it at objective 2.
        let revised = SAMPLE
            .replace("\n10\tEscuelas de Formación Social\t\t2", "")
            .replace(
                "3\tDiálogos con la sociedad civil.\t\t1",
                "3\tDiálogos ciudadanos.\t\t2",
            );
        let outcome = import(&t.db, "revised.txt", &revised)
            .await
            .expect("revised imports");
        assert_eq!(outcome, Outcome::Replaced, "{}", t.backend);
        assert_eq!(
            counts(&t.db).await,
            [1, 1, 1, 9, 9, 9, 9, 9],
            "{}",
            t.backend
        );

        let ficha = Ficha::find()
            .one(&t.db)
            .await
            .expect("query")
            .expect("ficha");
        assert_eq!(ficha.id, id, "the ficha keeps its id");
        assert_eq!(ficha.source_file, "revised.txt");
        let p3 = Producto::find()
            .filter(producto::Column::Numero.eq(3))
            .one(&t.db)
            .await
            .expect("query")
            .expect("producto 3");
        assert_eq!(p3.nombre, "Diálogos ciudadanos.");
        let served = p3
            .find_related(ObjetivoInstitucional)
            .all(&t.db)
            .await
            .expect("query");
        assert_eq!(served.iter().map(|o| o.prioridad).collect::<Vec<_>>(), [2]);
    })
    .await;
}

#[tokio::test]
async fn broken_ficha_is_refused_and_nothing_is_stored() {
    each_database(|t| async move {
        let broken = SAMPLE.replace(
            "3\tDiálogos con la sociedad civil.\t\t1",
            "3\tDiálogos.\t\t99",
        );
        let error = import(&t.db, "broken.txt", &broken)
            .await
            .expect_err("refused");
        assert!(
            error
                .to_string()
                .starts_with("broken.txt:54: expected an institutional objective"),
            "{error}"
        );
        assert_eq!(counts(&t.db).await, [0; 8], "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn a_second_service_of_the_ministry_shares_its_objectives() {
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("first service");
        let outcome = import(&t.db, "b.txt", &sample_as("20", "02"))
            .await
            .expect("second service");
        assert_eq!(outcome, Outcome::Imported);
        assert_eq!(
            counts(&t.db).await,
            [1, 2, 2, 9, 18, 20, 18, 20],
            "{}",
            t.backend
        );
        // Ministry objective 1 is served by objective 1 of both services.
        let m1 = ministry_objective(&t.db, 1).await;
        let serving = m1
            .find_related(ObjetivoInstitucional)
            .all(&t.db)
            .await
            .expect("query");
        assert_eq!(serving.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn ministry_objectives_that_disagree_are_refused_naming_the_objective() {
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("first service");
        let before = counts(&t.db).await;
        let differing = sample_as("20", "02").replace(
            "4\tEstratégico\tDar cuenta anual",
            "4\tEstratégico\tRendir cuenta anual",
        );
        let error = import(&t.db, "b.txt", &differing)
            .await
            .expect_err("refused");
        let message = error.to_string();
        assert!(
            message.starts_with("b.txt:24: expected ministry objective 4 as stored from \"a.txt\""),
            "{message}"
        );
        assert!(
            message.contains("found \"Estratégico: Rendir cuenta anual"),
            "{message}"
        );
        assert_eq!(counts(&t.db).await, before, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn shared_objectives_read_from_a_replaced_ficha_name_its_new_file_and_lines() {
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("first service");
        import(&t.db, "b.txt", &sample_as("20", "02"))
            .await
            .expect("second service");
        // The first service's ficha again, from another file: another
        // mission, the same ministry objectives one line lower and worded
        // with other capitals (the same once folded).
        let replaced = SAMPLE
            .replace(
                "Contribuir al fortalecimiento",
                "Contribuir decididamente al fortalecimiento",
            )
            .replace(
                "\nObjetivos Estratégicos del Ministerio",
                "\n\nObjetivos Estratégicos del Ministerio",
            )
            .replace("Dar cuenta anual", "Dar Cuenta Anual");
        let outcome = import(&t.db, "a2.txt", &replaced).await.expect("replaced");
        assert_eq!(outcome, Outcome::Replaced, "{}", t.backend);
        let m4 = ministry_objective(&t.db, 4).await;
        let source = Ficha::find_by_id(m4.source_ficha_id.expect("a source"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("the source ficha");
        assert_eq!(source.source_file, "a2.txt", "{}", t.backend);
        assert_eq!(m4.line, 25, "the line in a2.txt ({})", t.backend);
        assert!(
            m4.descripcion.starts_with("Dar Cuenta Anual"),
            "{}",
            m4.descripcion
        );
        // A conflict names the file the stored list was read from.
        let differing = sample_as("20", "02").replace("Dar cuenta anual", "Rendir cuenta anual");
        let message = import(&t.db, "b2.txt", &differing)
            .await
            .expect_err("refused")
            .to_string();
        assert!(message.contains("as stored from \"a2.txt\""), "{message}");
    })
    .await;
}

#[tokio::test]
async fn replacing_the_only_ficha_of_a_ministry_replaces_its_objectives() {
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("first version");
        let revised = SAMPLE.replace(
            "4\tEstratégico\tDar cuenta anual",
            "4\tEstratégico\tRendir cuenta anual",
        );
        assert_eq!(
            import(&t.db, "a2.txt", &revised)
                .await
                .expect("second version"),
            Outcome::Replaced
        );
        let m4 = ministry_objective(&t.db, 4).await;
        assert!(m4.descripcion.starts_with("Rendir cuenta anual"));
        assert_eq!(counts(&t.db).await, [1, 1, 1, 9, 9, 10, 9, 10]);
    })
    .await;
}

#[tokio::test]
async fn refused_reimport_leaves_the_database_as_it_was() {
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("first service");
        import(&t.db, "b.txt", &sample_as("20", "02"))
            .await
            .expect("second service");
        let before = Fichas::new();
        export::export(&t.db, before.path()).await.expect("export");
        let rows_before = (
            Ficha::find()
                .order_by_asc(entity::ficha::Column::Id)
                .all(&t.db)
                .await
                .expect("query"),
            ObjetivoInstitucional::find()
                .order_by_asc(objetivo_institucional::Column::Id)
                .all(&t.db)
                .await
                .expect("query"),
        );

        // Refused by the parser: a duplicated número.
        let parse_refusal = SAMPLE.replace("\n10\tEscuelas", "\n9\tEscuelas");
        import(&t.db, "a.txt", &parse_refusal)
            .await
            .expect_err("refused");
        // Refused inside the transaction, after the ficha row was updated:
        // its ministry objectives disagree with the other service's.
        let store_refusal = SAMPLE
            .replace("Diálogos con la sociedad civil.", "Diálogos.")
            .replace(
                "4\tEstratégico\tDar cuenta anual",
                "4\tEstratégico\tRendir cuenta anual",
            );
        import(&t.db, "a.txt", &store_refusal)
            .await
            .expect_err("refused");

        let after = Fichas::new();
        export::export(&t.db, after.path()).await.expect("export");
        assert_eq!(
            read_dir(after.path()),
            read_dir(before.path()),
            "{}",
            t.backend
        );
        let rows_after = (
            Ficha::find()
                .order_by_asc(entity::ficha::Column::Id)
                .all(&t.db)
                .await
                .expect("query"),
            ObjetivoInstitucional::find()
                .order_by_asc(objetivo_institucional::Column::Id)
                .all(&t.db)
                .await
                .expect("query"),
        );
        assert_eq!(rows_after, rows_before, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn an_export_imports_back_unchanged() {
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("import");
        import(&t.db, "b.txt", &sample_as("07", "03"))
            .await
            .expect("import");
        let out = Fichas::new();
        let written = export::export(&t.db, out.path()).await.expect("export");
        assert_eq!(written.len(), 2);
        let names: Vec<String> = read_dir(out.path()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "2024-2026_07_03_secretaria-general-de-gobierno.txt",
                SAMPLE_NAME,
            ]
        );
        for (name, bytes) in read_dir(out.path()) {
            let outcome = import_bytes(&t.db, &name, &name, &bytes)
                .await
                .expect("re-import");
            assert_eq!(outcome, Outcome::Unchanged, "{name}");
        }
        let fichas = export::load_fichas(&t.db).await.expect("load");
        let original = definiciones::ficha::parse("a.txt", SAMPLE).expect("parses");
        assert_eq!(fichas[1].without_lines(), original.without_lines());
    })
    .await;
}

/// Each ficha's counts as stored on its row, in the order of
/// `migration::FICHA_COUNT_COLUMNS`.
async fn stored_counts(db: &DatabaseConnection) -> Vec<(i32, [i64; 9])> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT id, objetivos_total, objetivos_estrategicos, objetivos_enfoque_genero, \
               objetivos_cambio_climatico, objetivos_sin_productos, productos_total, \
               productos_sin_objetivos, enlaces_ministeriales, enlaces_productos \
               FROM fichas ORDER BY id";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("fichas");
    rows.iter()
        .map(|row| {
            let id: i32 = row.try_get_by_index(0).expect("id");
            let counts = std::array::from_fn(|i| row.try_get_by_index(i + 1).expect("a count"));
            (id, counts)
        })
        .collect()
}

/// The same counts, worked out here from the rows themselves.
async fn recounted(db: &DatabaseConnection) -> Vec<(i32, [i64; 9])> {
    use entity::tipo_objetivo::TipoObjetivo;
    let objetivos = ObjetivoInstitucional::find().all(db).await.expect("rows");
    let productos = Producto::find().all(db).await.expect("rows");
    let links = ProductoObjetivoInstitucional::find()
        .all(db)
        .await
        .expect("rows");
    let ministeriales = ObjetivoInstitucionalMinisterial::find()
        .all(db)
        .await
        .expect("rows");
    let fichas = Ficha::find()
        .order_by_asc(entity::ficha::Column::Id)
        .all(db)
        .await
        .expect("rows");
    let n = |it: usize| it as i64;
    fichas
        .iter()
        .map(|f| {
            let mine: Vec<_> = objetivos.iter().filter(|o| o.ficha_id == f.id).collect();
            let own: Vec<_> = productos.iter().filter(|p| p.ficha_id == f.id).collect();
            let served = |o: i32| links.iter().any(|l| l.objetivo_institucional_id == o);
            let serving = |p: i32| links.iter().any(|l| l.producto_id == p);
            (
                f.id,
                [
                    n(mine.len()),
                    n(mine
                        .iter()
                        .filter(|o| o.tipo == TipoObjetivo::Estrategico)
                        .count()),
                    n(mine.iter().filter(|o| o.enfoque_genero).count()),
                    n(mine.iter().filter(|o| o.cambio_climatico).count()),
                    n(mine.iter().filter(|o| !served(o.id)).count()),
                    n(own.len()),
                    n(own.iter().filter(|p| !serving(p.id)).count()),
                    n(ministeriales
                        .iter()
                        .filter(|l| mine.iter().any(|o| o.id == l.objetivo_institucional_id))
                        .count()),
                    n(links
                        .iter()
                        .filter(|l| own.iter().any(|p| p.id == l.producto_id))
                        .count()),
                ],
            )
        })
        .collect()
}

/// The rows of `partida_totales` (or, with `recount`, the same sums made
/// from the fichas now), in order.
async fn partida_totals(db: &DatabaseConnection, recount: bool) -> Vec<Vec<i64>> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = if recount {
        migration::partida_totals("1 = 1", "1 = 1")
    } else {
        format!("SELECT * FROM {}", migration::PARTIDA_TOTALS)
    };
    let sql = format!("SELECT * FROM ({rows}) x ORDER BY 1, 2, 3");
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("sums")
        .iter()
        .map(|row| {
            (0..14)
                .map(|i| {
                    row.try_get_by_index::<i64>(i)
                        .or_else(|_| row.try_get_by_index::<i32>(i).map(i64::from))
                        .expect("a number")
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn each_ficha_keeps_its_counts_through_imports_and_migrations() {
    use sea_orm::ConnectionTrait;
    each_database(|t| async move {
        import(&t.db, "a.txt", SAMPLE).await.expect("imports");
        import(&t.db, "b.txt", &sample_as("20", "02"))
            .await
            .expect("imports");
        // A new version of the first: a producto and its links gone.
        let fewer = SAMPLE.replace("\n10\tEscuelas de Formación Social\t\t2", "");
        assert_eq!(
            import(&t.db, "a2.txt", &fewer).await.expect("imports"),
            Outcome::Replaced
        );
        let kept = stored_counts(&t.db).await;
        assert_eq!(kept, recounted(&t.db).await, "{}", t.backend);
        // The partida's sums follow its fichas: two fichas of one período,
        // and the same over every período.
        let sums = partida_totals(&t.db, false).await;
        assert_eq!(sums, partida_totals(&t.db, true).await, "{}", t.backend);
        assert_eq!(sums.len(), 2, "{sums:?}");
        assert_eq!(sums[0][3..], sums[1][3..], "{sums:?}");
        assert_eq!(
            (sums[0][3], sums[0][4]),
            (2, 2),
            "two fichas of two servicios"
        );
        assert!(kept.iter().all(|(_, c)| c[0] > 0 && c[5] > 0), "{kept:?}");
        assert_ne!(
            kept[0].1[5], kept[1].1[5],
            "the replaced ficha lost a producto"
        );

        // A database whose fichas came before the counts: migrating fills them in.
        t.db.execute_unprepared("UPDATE fichas SET objetivos_total = 0, productos_total = 0")
            .await
            .expect("update");
        // Down past the counts (and every migration after them), then up.
        let db = migrated_again_from(&t, "m20261123_000004_ficha_counts").await;
        assert_eq!(stored_counts(&db).await, kept, "{}", t.backend);
        assert_eq!(partida_totals(&db, false).await, sums, "{}", t.backend);
        db.close().await.expect("close");
    })
    .await;
}

/// Each objective's and producto's copy of its ficha's place (partida
/// code, capítulo, first year), and the same read through the joins.
async fn ficha_places(db: &DatabaseConnection) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    use sea_orm::{ConnectionTrait, Statement};
    let mut read = Vec::new();
    for table in ["objetivos_institucionales", "productos"] {
        for columns in [
            "r.partida_codigo, r.servicio_capitulo, r.ficha_desde",
            "p.codigo, s.capitulo, f.desde",
        ] {
            let rows = db
                .query_all_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!(
                        "SELECT r.id, {columns} FROM {table} r \
                         JOIN fichas f ON f.id = r.ficha_id \
                         JOIN servicios s ON s.id = f.servicio_id \
                         JOIN partidas p ON p.id = s.partida_id ORDER BY r.id"
                    ),
                ))
                .await
                .expect("places");
            read.push(
                rows.iter()
                    .map(|row| {
                        let id: i32 = row.try_get_by_index(0).expect("id");
                        let codigo: String = row.try_get_by_index(1).expect("codigo");
                        let capitulo: String = row.try_get_by_index(2).expect("capitulo");
                        let desde: i32 = row.try_get_by_index(3).expect("desde");
                        vec![id.to_string(), codigo, capitulo, desde.to_string()]
                    })
                    .collect::<Vec<_>>(),
            );
        }
    }
    let [objetivos, objetivos_joined, productos, productos_joined]: [_; 4] =
        read.try_into().expect("two reads of two tables");
    assert_eq!(
        objetivos, objetivos_joined,
        "objectives keep their ficha's place"
    );
    assert_eq!(
        productos, productos_joined,
        "productos keep their ficha's place"
    );
    (objetivos, productos)
}

#[tokio::test]
async fn objectives_and_productos_keep_their_fichas_place_through_imports_and_migrations() {
    use sea_orm::ConnectionTrait;
    each_database(|t| async move {
        // Two servicios, and a later ficha of the first.
        import(&t.db, "b.txt", &sample_as("20", "02"))
            .await
            .expect("imports");
        import(&t.db, "a.txt", SAMPLE).await.expect("imports");
        let later = SAMPLE.replace("AÑO 2024-2026", "AÑO 2027-2029");
        assert_ne!(later, SAMPLE, "the sample names its período");
        import(&t.db, "a-later.txt", &later).await.expect("imports");
        let (objetivos, productos) = ficha_places(&t.db).await;
        assert!(
            objetivos.len() > 20 && productos.len() > 20,
            "{objetivos:?}"
        );

        // Rows stored before the copies existed: the migration fills them.
        for table in ["objetivos_institucionales", "productos"] {
            t.db.execute_unprepared(&format!(
                "UPDATE {table} SET partida_codigo = '', servicio_capitulo = '', ficha_desde = 0"
            ))
            .await
            .expect("blank");
        }
        let db = migrated_again_from(&t, "m20261206_000008_ficha_place").await;
        assert_eq!(
            ficha_places(&db).await,
            (objetivos, productos),
            "{}",
            t.backend
        );
        db.close().await.expect("close");
    })
    .await;
}
