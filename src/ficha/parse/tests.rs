//! Every quirk the parser reads and every refusal it makes, each checked
//! against the line it names.

use proptest::prelude::*;

use super::row::parse_links;
use super::*;
use crate::ficha::{
    ObjetivoInstitucional, ObjetivoMinisterial, Partida, Periodo, Producto, Servicio, TipoObjetivo,
    render,
};

const SAMPLE: &str =
    include_str!("../../../data/fichas/2024-2026_20_01_secretaria-general-de-gobierno.txt");
const FILE: &str = "sample.txt";

fn sample() -> Ficha {
    parse(FILE, SAMPLE).expect("the bundled sample parses")
}

/// The sample with line `n` (1-based) replaced by `new`.
fn with_line(n: usize, new: &str) -> String {
    let mut lines: Vec<&str> = SAMPLE.split('\n').collect();
    lines[n - 1] = new;
    lines.join("\n")
}

/// The sample with `new` inserted before line `n`.
fn with_line_before(n: usize, new: &str) -> String {
    let mut lines: Vec<&str> = SAMPLE.split('\n').collect();
    lines.insert(n - 1, new);
    lines.join("\n")
}

/// The sample up to and including line `n`.
fn cut_after(n: usize) -> String {
    SAMPLE.split('\n').take(n).collect::<Vec<_>>().join("\n")
}

/// Parse and return the refusal's (line, message) pairs.
fn refusals(text: &str) -> Vec<(usize, String)> {
    match parse(FILE, text) {
        Ok(_) => panic!("expected the ficha to be refused"),
        Err(ParseErrors(errors)) => errors.iter().map(|e| (e.line, e.to_string())).collect(),
    }
}

fn assert_refused_at(text: &str, line: usize, needle: &str) {
    let errors = refusals(text);
    assert!(
        errors
            .iter()
            .any(|(l, message)| *l == line && message.contains(needle)),
        "expected an error at line {line} containing {needle:?}, got {errors:#?}"
    );
    for (_, message) in &errors {
        assert!(message.starts_with(&format!("{FILE}:")), "{message}");
    }
}

#[test]
fn sample_reads_header_and_free_text() {
    let ficha = sample();
    assert_eq!(
        ficha.periodo,
        Periodo {
            desde: 2024,
            hasta: 2026
        }
    );
    assert_eq!(ficha.partida.codigo, "20");
    assert_eq!(
        ficha.partida.nombre,
        "MINISTERIO SECRETARIA GENERAL DE GOBIERNO"
    );
    assert_eq!(ficha.servicio.capitulo, "01");
    assert_eq!(ficha.servicio.nombre, "SECRETARIA GENERAL DE GOBIERNO");
    assert!(
        ficha
            .ley_organica
            .starts_with("Ley N° 19.032 publicada en D.O. 4/2/91")
    );
    assert!(ficha.mision.starts_with("Contribuir al fortalecimiento"));
    assert!(ficha.mision.ends_with("cualquiera de sus formas."));
    assert_eq!(ficha.line, 3);
}

#[test]
fn sample_reads_every_objective_and_producto() {
    let ficha = sample();
    let prioridades = |v: Vec<u32>| v;
    assert_eq!(
        prioridades(
            ficha
                .objetivos_ministeriales
                .iter()
                .map(|o| o.prioridad)
                .collect()
        ),
        (1..=9).collect::<Vec<_>>()
    );
    assert_eq!(ficha.objetivos_institucionales.len(), 9);
    assert_eq!(ficha.productos.len(), 10);
    let m8 = &ficha.objetivos_ministeriales[7];
    assert_eq!((m8.tipo, m8.line), (TipoObjetivo::GestionInstitucional, 29));
    let links: Vec<Vec<u32>> = ficha
        .objetivos_institucionales
        .iter()
        .map(|o| o.objetivos_ministeriales.clone())
        .collect();
    assert_eq!(links, [[1], [3], [4], [7], [2], [5], [6], [8], [9]]);
    let i9 = &ficha.objetivos_institucionales[8];
    assert!(i9.enfoque_genero && i9.cambio_climatico);
    assert!(!ficha.objetivos_institucionales[0].cambio_climatico);
    let p3 = &ficha.productos[2];
    assert_eq!(p3.nombre, "Diálogos con la sociedad civil.");
    assert_eq!(
        (p3.numero, p3.objetivos.as_slice(), p3.line),
        (3, &[1][..], 54)
    );
    assert_eq!(ficha.productos[9].nombre, "Escuelas de Formación Social");
}

#[test]
fn row_continued_after_a_page_break_joins_the_row_above() {
    let o8 = &sample().objetivos_institucionales[7];
    assert_eq!(
        o8.descripcion,
        "Incorporar y transversalizar la perspectiva de género en las actuaciones ministeriales de la \
         gestión institucional y en los servicios entregados a la ciudadanía."
    );
    assert_eq!(o8.objetivos_ministeriales, [8]);
    assert_eq!(o8.line, 43);
}

#[test]
fn objectives_without_productos_stay_unlinked() {
    let ficha = sample();
    let served: Vec<u32> = ficha
        .productos
        .iter()
        .flat_map(|p| p.objetivos.clone())
        .collect();
    let unserved: Vec<u32> = ficha
        .objetivos_institucionales
        .iter()
        .map(|o| o.prioridad)
        .filter(|p| !served.contains(p))
        .collect();
    assert_eq!(unserved, [7, 8, 9]);
}

#[test]
fn extraction_noise_reads_the_same() {
    let expected = sample().without_lines();
    let crlf = SAMPLE.replace('\n', "\r\n");
    let bom = format!("\u{feff}{SAMPLE}");
    let trailing = SAMPLE
        .split('\n')
        .map(|l| format!("{l} \t "))
        .collect::<Vec<_>>()
        .join("\n");
    let padded = format!("\n\n  \n{SAMPLE}\n\n\n");
    let final_newline = format!("{SAMPLE}\n");
    for (what, text) in [
        ("CRLF", crlf),
        ("BOM", bom),
        ("trailing tabs and spaces", trailing),
        ("blank lines around", padded),
        ("final newline", final_newline),
    ] {
        let ficha = parse(FILE, &text).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(ficha.without_lines(), expected, "{what}");
    }
    let bytes = format!("\u{feff}{SAMPLE}").into_bytes();
    assert_eq!(
        parse_bytes(FILE, &bytes).map(|f| f.without_lines()),
        Ok(expected)
    );
}

#[test]
fn header_repeated_after_a_page_break_is_skipped() {
    let repeated = with_line_before(
        40,
        "\nPrioridad\tTipo de Objetivo\tDescripción\tAtributos Considerados\t\tObjetivos del Ministerio Relacionados\n\t\t\tEnfoque de Género\tCambio Climático\t",
    );
    let ficha = parse(FILE, &repeated).expect("repeated header is read");
    assert_eq!(ficha.without_lines(), sample().without_lines());
    let productos = with_line_before(
        57,
        "Número\tBien / Servicio Final\t\tN° Objetivo Estratégico Relacionado",
    );
    let ficha = parse(FILE, &productos).expect("repeated header is read");
    assert_eq!(ficha.productos.len(), 10);
    assert_eq!(ficha.productos[5].line, 58);
}

#[test]
fn section_title_repeated_as_a_running_head_is_skipped() {
    let text = with_line_before(27, "Objetivos Estratégicos del Ministerio");
    let ficha = parse(FILE, &text).expect("running head is skipped");
    assert_eq!(ficha.without_lines(), sample().without_lines());
}

#[test]
fn a_section_that_comes_back_later_is_refused() {
    let text = with_line_before(46, "Misión Institucional");
    assert_refused_at(
        &text,
        46,
        "expected section \"Misión Institucional\" only once (first at line 14)",
    );
}

#[test]
fn header_words_without_accents_or_with_other_numero_signs() {
    let text = with_line(20, "PRIORIDAD\tTIPO DE OBJETIVO\tDESCRIPCION")
        .replace(
            "\tN° Objetivo Estratégico Relacionado",
            "\tNº Objetivo Estrategico Relacionado",
        )
        .replace("Número\tBien", "Numero\tBien");
    assert_eq!(
        parse(FILE, &text).map(|f| f.without_lines()),
        Ok(sample().without_lines())
    );
    let no = SAMPLE.replace(
        "\tN° Objetivo Estratégico Relacionado",
        "\tNo Objetivo Estratégico Relacionado",
    );
    assert_eq!(
        parse(FILE, &no).map(|f| f.without_lines()),
        Ok(sample().without_lines())
    );
}

#[test]
fn older_section_names_are_read() {
    let text = SAMPLE
        .replace(
            "Objetivos Estratégicos del Ministerio",
            "Objetivos Relevantes del Ministerio",
        )
        .replace(
            "Bienes / Servicios Finales\n",
            "Productos Estratégicos (Bienes y/o Servicios)\n",
        );
    let ficha = parse(FILE, &text).expect("older names are read");
    assert_eq!(ficha.without_lines(), sample().without_lines());
}

#[test]
fn a_single_year_period_is_read() {
    let ficha =
        parse(FILE, &with_line(3, "FICHA DE IDENTIFICACIÓN AÑO 2015")).expect("single year");
    assert_eq!(
        ficha.periodo,
        Periodo {
            desde: 2015,
            hasta: 2015
        }
    );
    assert_eq!(ficha.periodo.to_string(), "2015");
}

#[test]
fn link_lists_in_every_published_form() {
    for (cell, expected) in [
        ("1", vec![1]),
        ("1, 3", vec![1, 3]),
        ("1,3", vec![1, 3]),
        ("1 y 3", vec![1, 3]),
        ("1-3", vec![1, 2, 3]),
        ("1 - 3", vec![1, 2, 3]),
        ("3, 1 y 2", vec![1, 2, 3]),
        ("", vec![]),
    ] {
        assert_eq!(parse_links(cell), Some(expected), "{cell:?}");
    }
    for bad in ["uno", "1,,3", "3-1", "1 y", "0", "1.5"] {
        assert_eq!(parse_links(bad), None, "{bad:?}");
    }
    let text = with_line(54, "3\tDiálogos con la sociedad civil.\t\t1 y 2-4");
    let ficha = parse(FILE, &text).expect("links read");
    assert_eq!(ficha.productos[2].objetivos, [1, 2, 3, 4]);
}

#[test]
fn empty_file_is_refused() {
    assert_refused_at(
        "",
        1,
        "expected the title \"FICHA DE IDENTIFICACIÓN AÑO …\", found end of file",
    );
    assert_refused_at("\n\n \t\n", 4, "found end of file");
}

#[test]
fn bytes_that_are_not_utf8_are_refused_at_their_line() {
    let mut bytes = SAMPLE.as_bytes().to_vec();
    let at = SAMPLE
        .find("Misión Institucional")
        .expect("sample has a mission");
    bytes[at + 4] = 0xff;
    let errors = parse_bytes(FILE, &bytes).expect_err("not UTF-8");
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].line, 14);
    assert!(
        errors
            .to_string()
            .contains("sample.txt:14: expected text encoded as UTF-8, found \"Misi")
    );
}

#[test]
fn missing_title_is_refused() {
    assert_refused_at(
        &with_line(3, "IDENTIFICACIÓN 2024-2026"),
        3,
        "expected the title",
    );
    assert_refused_at(
        &with_line(3, "FICHA DE IDENTIFICACIÓN AÑO veinte"),
        3,
        "with a period",
    );
    assert_refused_at(
        &with_line(3, "FICHA DE IDENTIFICACIÓN AÑO 2026-2024"),
        3,
        "with a period",
    );
}

#[test]
fn missing_ministerio_or_servicio_line_is_refused() {
    assert_refused_at(
        &with_line(7, "MINISTERIO\tSECRETARIA GENERAL\t20"),
        7,
        "expected the line \"MINISTERIO <nombre> PARTIDA <código>\"",
    );
    assert_refused_at(
        &with_line(8, ""),
        10,
        "expected the line \"SERVICIO <nombre> CAPITULO <código>\"",
    );
}

#[test]
fn missing_section_is_refused_where_it_was_due() {
    let text = with_line(14, "").replace(&SAMPLE.split('\n').nth(15).unwrap().to_string(), "");
    assert_refused_at(
        &text,
        18,
        "expected section \"Misión Institucional\", found \"Objetivos Estratégicos del Ministerio\"",
    );
}

#[test]
fn prioridad_or_numero_not_a_number_is_refused() {
    assert_refused_at(
        &with_line(22, "dos\tEstratégico\tEntregar a las Autoridades"),
        22,
        "expected prioridad as a whole number, found \"dos\"",
    );
    assert_refused_at(
        &with_line(53, "2b\tBoletines Informativos.\t\t5"),
        53,
        "expected número as a whole number, found \"2b\"",
    );
}

#[test]
fn unknown_tipo_is_refused() {
    assert_refused_at(
        &with_line(37, "2\tOperativo\tGenerar mecanismos.\tSi\tNo\t3"),
        37,
        "expected tipo \"Estratégico\" or \"Gestión Institucional\", found \"Operativo\"",
    );
}

#[test]
fn si_no_cell_with_anything_else_is_refused() {
    assert_refused_at(
        &with_line(37, "2\tEstratégico\tGenerar mecanismos.\tQuizás\tNo\t3"),
        37,
        "expected \"Si\" or \"No\" for Enfoque de Género, found \"Quizás\"",
    );
    assert_refused_at(
        &with_line(37, "2\tEstratégico\tGenerar mecanismos.\tSi\t\t3"),
        37,
        "expected \"Si\" or \"No\" for Cambio Climático, found \"\"",
    );
}

#[test]
fn duplicated_prioridad_or_numero_is_refused() {
    assert_refused_at(
        &with_line(22, "1\tEstratégico\tEntregar a las Autoridades"),
        22,
        "expected a prioridad not used before (it is at line 21), found \"1\"",
    );
    assert_refused_at(
        &with_line(61, "9\tEscuelas de Formación Social\t\t2"),
        61,
        "expected a número not used before (it is at line 60), found \"9\"",
    );
}

#[test]
fn link_to_a_ministry_objective_the_ficha_does_not_list_is_refused() {
    assert_refused_at(
        &with_line(37, "2\tEstratégico\tGenerar mecanismos.\tSi\tNo\t3 y 12"),
        37,
        "expected a ministry objective this ficha lists (one of 1, 2, 3, 4, 5, 6, 7, 8, 9), found \"12\"",
    );
}

#[test]
fn link_to_an_institutional_objective_that_does_not_exist_is_refused() {
    assert_refused_at(
        &with_line(54, "3\tDiálogos con la sociedad civil.\t\t10"),
        54,
        "expected an institutional objective this ficha lists (one of 1, 2, 3, 4, 5, 6, 7, 8, 9), found \"10\"",
    );
    assert_refused_at(
        &with_line(54, "3\tDiálogos con la sociedad civil.\t\tuno"),
        54,
        "expected a list of institutional objective numbers",
    );
}

#[test]
fn truncated_file_is_refused() {
    // Cut inside the institutional objectives: the products never come.
    assert_refused_at(
        &cut_after(40),
        40,
        "expected section \"Bienes / Servicios Finales\", found end of file",
    );
    // Cut right after the products' header: a table with no rows.
    assert_refused_at(
        &cut_after(51),
        51,
        "expected at least one row in \"Bienes / Servicios Finales\", found end of file",
    );
    // Cut in the middle of a row: its attributes never come.
    let mid_row = cut_after(37);
    let mid_row = &mid_row[..mid_row.rfind("vinculación").expect("cut point")];
    assert_refused_at(
        mid_row,
        37,
        "expected \"Si\" or \"No\" for Enfoque de Género, found \"\"",
    );
    assert_refused_at(
        mid_row,
        37,
        "expected section \"Bienes / Servicios Finales\", found end of file",
    );
    // Cut after the header lines.
    assert_refused_at(
        &cut_after(8),
        8,
        "expected section \"Ley orgánica o Decreto que la rige\", found end of file",
    );
}

#[test]
fn every_problem_in_the_file_is_reported() {
    let text = with_line(22, "dos\tEstratégico\tEntregar").replace(
        "3\tDiálogos con la sociedad civil.\t\t1",
        "3\tDiálogos con la sociedad civil.\t\t42",
    );
    let text = text.replace(
        "2\tEstratégico\tGenerar mecanismos de vinculación",
        "2\tOtro\tGenerar mecanismos de vinculación",
    );
    let lines: Vec<usize> = refusals(&text).into_iter().map(|(l, _)| l).collect();
    // Line 40 links to ministry objective 2, whose row (22) did not read.
    assert_eq!(lines, [22, 37, 40, 54]);
}

#[test]
fn rendered_sample_reads_back_the_same() {
    let ficha = sample();
    let rendered = render(&ficha);
    let again = parse("rendered.txt", &rendered).expect("rendered text parses");
    assert_eq!(again.without_lines(), ficha.without_lines());
    assert_eq!(render(&again), rendered);
}

#[test]
fn every_bundled_ficha_is_a_fixed_point_of_parse_and_render() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/fichas");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).expect("data/fichas exists") {
        let path = entry.expect("readable entry").path();
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).expect("readable ficha");
        let first = parse_bytes(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let second = parse(&name, &render(&first)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(second.without_lines(), first.without_lines(), "{name}");
        count += 1;
    }
    assert!(count >= 1);
}

fn words(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec("[A-Za-zÁÉÍÓÚÑáéíóúñü.,()/°]{1,12}", 1..max).prop_map(|w| w.join(" "))
}

fn tipo() -> impl Strategy<Value = TipoObjetivo> {
    prop_oneof![
        Just(TipoObjetivo::Estrategico),
        Just(TipoObjetivo::GestionInstitucional)
    ]
}

fn links_to(count: usize) -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::btree_set(1..=count as u32, 0..=count.min(4))
        .prop_map(|set| set.into_iter().collect())
}

prop_compose! {
    fn fichas()(
        codigo in "[0-9]{2}",
        capitulo in "[0-9]{2}",
        desde in 1990..2030i32,
        span in 0..4i32,
        partida in words(6),
        servicio in words(6),
        ley in proptest::collection::vec(words(20), 1..3),
        mision in proptest::collection::vec(words(20), 1..3),
        ministeriales in proptest::collection::vec((tipo(), words(15)), 1..10),
        institucionales in 1..12usize,
        productos in 1..15usize,
    )(
        institucionales in proptest::collection::vec(
            (tipo(), words(15), any::<bool>(), any::<bool>(), links_to(ministeriales.len())),
            institucionales,
        ),
        productos in proptest::collection::vec((words(10), links_to(institucionales)), productos),
        codigo in Just(codigo), capitulo in Just(capitulo), desde in Just(desde), span in Just(span),
        partida in Just(partida), servicio in Just(servicio), ley in Just(ley), mision in Just(mision),
        ministeriales in Just(ministeriales),
    ) -> Ficha {
        Ficha {
            partida: Partida { codigo, nombre: partida },
            servicio: Servicio { capitulo, nombre: servicio },
            periodo: Periodo { desde, hasta: desde + span },
            ley_organica: ley.join("\n"),
            mision: mision.join("\n"),
            objetivos_ministeriales: ministeriales.into_iter().enumerate().map(|(i, (tipo, descripcion))| {
                ObjetivoMinisterial { prioridad: i as u32 + 1, tipo, descripcion, line: 0 }
            }).collect(),
            objetivos_institucionales: institucionales.into_iter().enumerate().map(
                |(i, (tipo, descripcion, enfoque_genero, cambio_climatico, objetivos_ministeriales))| {
                    ObjetivoInstitucional {
                        prioridad: i as u32 + 1, tipo, descripcion, enfoque_genero,
                        cambio_climatico, objetivos_ministeriales, line: 0,
                    }
                },
            ).collect(),
            productos: productos.into_iter().enumerate().map(|(i, (nombre, objetivos))| {
                Producto { numero: i as u32 + 1, nombre, objetivos, line: 0 }
            }).collect(),
            line: 0,
        }
    }
}

proptest! {
    #[test]
    fn parse_of_render_gives_back_the_ficha(ficha in fichas()) {
        let text = render(&ficha);
        let parsed = parse("generated.txt", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(parsed.without_lines(), ficha);
    }
}
