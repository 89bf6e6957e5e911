//! Ficha text → [`Ficha`], or every problem found in it.
//!
//! The published text is what a PDF extractor makes of the ficha: sections
//! separated by blank lines, table cells by tabs. The parser reads it in
//! three passes: split into lines and cells, cut into sections at their
//! titles, then read each section (header lines, free text, tables). It
//! keeps going after a problem so that one run reports every problem in the
//! file, each with its line; a ficha with any problem is refused whole.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::text::fold;
use super::{
    Ficha, ObjetivoInstitucional, ObjetivoMinisterial, Partida, Periodo, Producto, Servicio,
    TipoObjetivo,
};

/// One problem in a ficha, with the place it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: expected {expected}, found {found}")]
pub struct ParseError {
    /// The file the ficha was read from, as the user named it.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What the parser was looking for there.
    pub expected: String,
    /// What it found instead.
    pub found: Found,
}

/// What the parser found where it expected something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Text of the line or cell, shown quoted.
    Text(String),
    /// The file ended first.
    EndOfFile,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Text(text) => write!(f, "{text:?}"),
            Found::EndOfFile => f.write_str("end of file"),
        }
    }
}

/// Every problem found in one ficha; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

/// Parse a ficha from the bytes of a file: refuses bytes that are not UTF-8,
/// drops a UTF-8 byte-order mark, then reads it as [`parse`] does.
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<Ficha, ParseErrors> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(file, text),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| start + i);
            Err(ParseErrors(vec![ParseError {
                file: file.to_owned(),
                line,
                expected: "text encoded as UTF-8".to_owned(),
                found: Found::Text(String::from_utf8_lossy(&bytes[start..end]).into_owned()),
            }]))
        }
    }
}

/// Parse a ficha's text. `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Ficha, ParseErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, raw)| Line::new(i + 1, raw))
        .collect();
    let mut parser = Parser {
        file,
        errors: Vec::new(),
        end_line: lines.len(),
    };
    let ficha = parser.ficha(&lines);
    match ficha {
        Some(ficha) if parser.errors.is_empty() => Ok(ficha),
        _ => {
            let mut errors = parser.errors;
            errors.sort_by_key(|e| e.line);
            Err(ParseErrors(errors))
        }
    }
}

/// One line of the text, cut into tab-separated cells.
#[derive(Debug)]
struct Line<'a> {
    number: usize,
    text: &'a str,
    cells: Vec<&'a str>,
}

impl<'a> Line<'a> {
    fn new(number: usize, raw: &'a str) -> Self {
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let mut cells: Vec<&str> = text.split('\t').map(str::trim).collect();
        while cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        Line {
            number,
            text: text.trim(),
            cells,
        }
    }

    fn is_blank(&self) -> bool {
        self.cells.is_empty()
    }

    fn cell(&self, index: usize) -> &'a str {
        self.cells.get(index).copied().unwrap_or("")
    }

    /// The non-empty cells.
    fn words(&self) -> Vec<&'a str> {
        self.cells
            .iter()
            .copied()
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// The sections of a ficha, in the order they are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Section {
    LeyOrganica,
    Mision,
    ObjetivosMinisteriales,
    ObjetivosInstitucionales,
    Productos,
}

const SECTIONS: [Section; 5] = [
    Section::LeyOrganica,
    Section::Mision,
    Section::ObjetivosMinisteriales,
    Section::ObjetivosInstitucionales,
    Section::Productos,
];

impl Section {
    /// The title as current fichas print it (used in messages and rendering).
    fn title(self) -> &'static str {
        match self {
            Section::LeyOrganica => "Ley orgánica o Decreto que la rige",
            Section::Mision => "Misión Institucional",
            Section::ObjetivosMinisteriales => "Objetivos Estratégicos del Ministerio",
            Section::ObjetivosInstitucionales => "Objetivos Estratégicos Institucionales",
            Section::Productos => "Bienes / Servicios Finales",
        }
    }

    /// Recognise a section title, current or older, folded.
    fn from_title(folded: &str) -> Option<Section> {
        let section = match folded {
            "ley organica o decreto que la rige" => Section::LeyOrganica,
            "mision institucional" => Section::Mision,
            "objetivos estrategicos del ministerio" | "objetivos relevantes del ministerio" => {
                Section::ObjetivosMinisteriales
            }
            "objetivos estrategicos institucionales" => Section::ObjetivosInstitucionales,
            "bienes / servicios finales"
            | "bienes/servicios finales"
            | "productos estrategicos (bienes y/o servicios)"
            | "productos estrategicos (bienes y / o servicios)"
            | "productos estrategicos" => Section::Productos,
            _ => return None,
        };
        Some(section)
    }
}

/// A line that opens a section: its title alone (cells after it empty).
fn section_of(line: &Line) -> Option<Section> {
    // A title split across cells is still a title: free text keeps a line as
    // its words joined by spaces, and rendered so it would read as one.
    match line.words().as_slice() {
        [] => None,
        [title] => Section::from_title(&fold(title)),
        words => Section::from_title(&fold(&words.join(" "))),
    }
}

struct Parser<'f> {
    file: &'f str,
    errors: Vec<ParseError>,
    /// Number of the last line, where "end of file" is reported.
    end_line: usize,
}

/// The lines of one section, and the line that follows it (where a missing
/// part is reported).
struct Body<'a> {
    lines: &'a [&'a Line<'a>],
    next: Option<&'a Line<'a>>,
}

/// A table row after joining the lines a page break split it into.
#[derive(Debug)]
struct Row<'a> {
    line: usize,
    cells: Vec<String>,
    first: &'a Line<'a>,
}

impl Row<'_> {
    fn extend(&mut self, cells: &[&str]) {
        for (i, cell) in cells.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            if self.cells.len() <= i {
                self.cells.resize(i + 1, String::new());
            }
            if !self.cells[i].is_empty() {
                self.cells[i].push(' ');
            }
            self.cells[i].push_str(cell);
        }
    }

    fn cell(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.cells.get(i))
            .map_or("", String::as_str)
    }
}

/// Which column of a table holds what, read from its header lines.
#[derive(Debug, Default)]
struct Columns {
    numero: Option<usize>,
    tipo: Option<usize>,
    texto: Option<usize>,
    genero: Option<usize>,
    clima: Option<usize>,
    enlaces: Option<usize>,
}

impl<'f> Parser<'f> {
    fn error(&mut self, line: usize, expected: impl Into<String>, found: Found) {
        self.errors.push(ParseError {
            file: self.file.to_owned(),
            line,
            expected: expected.into(),
            found,
        });
    }

    fn error_at(&mut self, line: &Line, expected: impl Into<String>) {
        let found = Found::Text(line.text.to_owned());
        self.error(line.number, expected, found);
    }

    fn error_eof(&mut self, expected: impl Into<String>) {
        self.error(self.end_line, expected, Found::EndOfFile);
    }

    /// Something a section lacks, reported where the next section begins.
    fn missing(&mut self, body: &Body, expected: impl Into<String>) {
        match body.next {
            Some(line) => self.error_at(line, expected),
            None => self.error_eof(expected),
        }
    }

    fn ficha(&mut self, lines: &[Line]) -> Option<Ficha> {
        let content: Vec<&Line> = lines.iter().filter(|l| !l.is_blank()).collect();
        if content.is_empty() {
            self.error_eof("the title \"FICHA DE IDENTIFICACIÓN AÑO …\"");
            return None;
        }

        // Cut at section titles: the header is what comes before the first.
        let mut starts: Vec<(Section, usize)> = Vec::new();
        for (i, line) in content.iter().enumerate() {
            if let Some(section) = section_of(line) {
                match starts.iter().find(|(s, _)| *s == section) {
                    // A title repeated inside its own section: the products'
                    // table caption, or a page's running head.
                    Some(_) if starts.last().is_some_and(|&(s, _)| s == section) => {}
                    Some(&(_, first)) => {
                        let expected = format!(
                            "section \"{}\" only once (first at line {})",
                            section.title(),
                            content[first].number
                        );
                        self.error_at(line, expected);
                    }
                    None => starts.push((section, i)),
                }
            }
        }
        let header_end = starts.first().map_or(content.len(), |&(_, i)| i);
        let header = self.header(&content[..header_end], content.get(header_end).copied());

        let mut bodies: HashMap<Section, Body> = HashMap::new();
        for (k, &(section, start)) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(content.len(), |&(_, i)| i);
            let body = Body {
                lines: &content[start + 1..end],
                next: content.get(end).copied(),
            };
            bodies.insert(section, body);
        }
        self.check_section_order(&starts, &content);

        let ley_organica = self.free_text(Section::LeyOrganica, bodies.get(&Section::LeyOrganica));
        let mision = self.free_text(Section::Mision, bodies.get(&Section::Mision));
        let ministeriales = self.table(
            Section::ObjetivosMinisteriales,
            bodies.get(&Section::ObjetivosMinisteriales),
        );
        let institucionales = self.table(
            Section::ObjetivosInstitucionales,
            bodies.get(&Section::ObjetivosInstitucionales),
        );
        let productos = self.table(Section::Productos, bodies.get(&Section::Productos));

        // Links are checked against every number a table lists, even when
        // some of its rows have other problems, so all of them are reported.
        let known_ministeriales = numbers(&ministeriales);
        let known_institucionales = numbers(&institucionales);
        let objetivos_ministeriales = self.objetivos_ministeriales(ministeriales);
        let objetivos_institucionales =
            self.objetivos_institucionales(institucionales, known_ministeriales.as_deref());
        let productos = self.productos(productos, known_institucionales.as_deref());

        let (line, periodo, partida, servicio) = header?;
        Some(Ficha {
            partida,
            servicio,
            periodo,
            ley_organica: ley_organica?,
            mision: mision?,
            objetivos_ministeriales: objetivos_ministeriales?,
            objetivos_institucionales: objetivos_institucionales?,
            productos: productos?,
            line,
        })
    }

    /// Every section must be there, in the published order.
    fn check_section_order(&mut self, starts: &[(Section, usize)], content: &[&Line]) {
        for (k, &section) in SECTIONS.iter().enumerate() {
            if starts.iter().any(|&(s, _)| s == section) {
                continue;
            }
            // Report a missing section where the next one present begins, or
            // at the end of a file cut short.
            let next = SECTIONS[k + 1..]
                .iter()
                .find_map(|s| starts.iter().find(|(found, _)| found == s));
            let expected = format!("section \"{}\"", section.title());
            match next {
                Some(&(_, i)) => self.error_at(content[i], expected),
                None => self.error_eof(expected),
            }
        }
        for pair in starts.windows(2) {
            let ((before, _), (after, i)) = (pair[0], pair[1]);
            if after < before {
                let expected =
                    format!("section \"{}\" after \"{}\"", after.title(), before.title());
                self.error_at(content[i], expected);
            }
        }
    }

    /// Title, `DEFINICIONES ESTRATÉGICAS`, the MINISTERIO and SERVICIO lines.
    fn header(
        &mut self,
        lines: &[&Line],
        next: Option<&Line>,
    ) -> Option<(usize, Periodo, Partida, Servicio)> {
        let mut lines = lines.iter().copied().peekable();
        let Some(title) = lines.next() else {
            self.error_eof("the title \"FICHA DE IDENTIFICACIÓN AÑO …\"");
            return None;
        };
        let periodo = self.title(title);
        if lines
            .peek()
            .is_some_and(|l| fold(&l.words().join(" ")) == "definiciones estrategicas")
        {
            lines.next();
        }
        let partida = self.coded_line(lines.next().or(next), "MINISTERIO", "PARTIDA");
        let servicio = self.coded_line(lines.next().or(next), "SERVICIO", "CAPITULO");
        for extra in lines {
            self.error_at(
                extra,
                format!("section \"{}\"", Section::LeyOrganica.title()),
            );
        }
        let (partida_nombre, codigo) = partida?;
        let (servicio_nombre, capitulo) = servicio?;
        Some((
            title.number,
            periodo?,
            Partida {
                codigo,
                nombre: partida_nombre,
            },
            Servicio {
                capitulo,
                nombre: servicio_nombre,
            },
        ))
    }

    /// `FICHA DE IDENTIFICACIÓN AÑO 2024-2026` (or a single year).
    fn title(&mut self, line: &Line) -> Option<Periodo> {
        const EXPECTED: &str =
            "the title \"FICHA DE IDENTIFICACIÓN AÑO …\" with a period such as 2024-2026 or 2024";
        let folded = fold(&line.words().join(" "));
        let Some(rest) = folded.strip_prefix("ficha de identificacion") else {
            self.error_at(line, EXPECTED);
            return None;
        };
        let rest = rest.trim_start().strip_prefix("ano").unwrap_or(rest).trim();
        let periodo = match rest
            .split('-')
            .map(str::trim)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [year] => year_of(year).map(|y| Periodo { desde: y, hasta: y }),
            [desde, hasta] => match (year_of(desde), year_of(hasta)) {
                (Some(desde), Some(hasta)) if desde <= hasta => Some(Periodo { desde, hasta }),
                _ => None,
            },
            _ => None,
        };
        if periodo.is_none() {
            self.error_at(line, EXPECTED);
        }
        periodo
    }

    /// `MINISTERIO <nombre> PARTIDA <código>` and its SERVICIO twin.
    fn coded_line(
        &mut self,
        line: Option<&Line>,
        label: &str,
        code_label: &str,
    ) -> Option<(String, String)> {
        let expected = format!("the line \"{label} <nombre> {code_label} <código>\"");
        let Some(line) = line else {
            self.error_eof(expected);
            return None;
        };
        let mut words = line.words();
        // Some extractions lose the tabs: fall back to words.
        if words.len() < 4 {
            words = line.text.split_whitespace().collect();
        }
        let label_at = |w: &str, l: &str| fold(w) == fold(l);
        let parsed = match words.as_slice() {
            [first, name @ .., code_word, code]
                if label_at(first, label)
                    && label_at(code_word, code_label)
                    && !name.is_empty() =>
            {
                let code = code.trim();
                code.chars()
                    .all(|c| c.is_ascii_alphanumeric())
                    .then(|| (name.join(" "), code.to_owned()))
            }
            _ => None,
        };
        if parsed.is_none() {
            self.error_at(line, expected);
        }
        parsed
    }

    /// A free-text section: its lines, joined by newlines.
    fn free_text(&mut self, section: Section, body: Option<&Body>) -> Option<String> {
        let body = body?;
        let lines: Vec<String> = body
            .lines
            .iter()
            .filter(|l| section_of(l) != Some(section))
            .map(|l| l.words().join(" "))
            .collect();
        if lines.is_empty() {
            self.missing(body, format!("the text of \"{}\"", section.title()));
            return None;
        }
        Some(lines.join("\n"))
    }

    /// Cut a table section into header columns and rows, joining rows that a
    /// page break split.
    fn table<'a>(
        &mut self,
        section: Section,
        body: Option<&Body<'a>>,
    ) -> Option<(Columns, Vec<Row<'a>>)> {
        let body = body?;
        let lines = body.lines;
        let mut header_lines: Vec<String> = Vec::new();
        let mut header_cells: BTreeMap<usize, String> = BTreeMap::new();
        let mut rows: Vec<Row> = Vec::new();
        for &line in lines {
            // The products' title repeats as a caption above its table.
            if section_of(line) == Some(section) {
                continue;
            }
            let first = line.cell(0);
            // Only a line not starting with a number can be a header.
            let folded = match first.parse::<u32>() {
                Ok(_) => String::new(),
                Err(_) => fold(&line.cells.join("\t")),
            };
            if rows.is_empty() && (first.is_empty() || looks_like_header(first)) {
                for (i, cell) in line.cells.iter().enumerate() {
                    let entry = header_cells.entry(i).or_default();
                    entry.push(' ');
                    entry.push_str(&fold(cell));
                }
                header_lines.push(folded);
                continue;
            }
            // A header repeated after a page break.
            if !folded.is_empty() && header_lines.contains(&folded) {
                continue;
            }
            if first.is_empty() {
                // A row continued after a page break: its cells extend the
                // cells of the row above (there is one: lines before the
                // first row are header lines).
                if let Some(row) = rows.last_mut() {
                    row.extend(&line.cells);
                }
                continue;
            }
            rows.push(Row {
                line: line.number,
                cells: line.cells.iter().map(|c| (*c).to_owned()).collect(),
                first: line,
            });
        }

        let columns = Columns::from_header(section, &header_cells);
        let missing = columns.missing(section);
        if header_lines.is_empty() || !missing.is_empty() {
            let expected = format!(
                "the header of the table \"{}\" with columns {}",
                section.title(),
                columns_expected(section)
            );
            match lines.iter().find(|l| section_of(l) != Some(section)) {
                Some(line) => self.error_at(line, expected),
                None => self.missing(body, expected),
            }
            return None;
        }
        if rows.is_empty() {
            self.missing(body, format!("at least one row in \"{}\"", section.title()));
            return None;
        }
        Some((columns, rows))
    }

    fn objetivos_ministeriales(
        &mut self,
        table: Option<(Columns, Vec<Row>)>,
    ) -> Option<Vec<ObjetivoMinisterial>> {
        let (columns, rows) = table?;
        let mut seen = HashMap::new();
        let mut objetivos = Vec::with_capacity(rows.len());
        let mut ok = true;
        for row in &rows {
            let prioridad = self.number(row, columns.numero, "prioridad", &mut seen);
            let tipo = self.tipo(row, columns.tipo);
            let descripcion = self.text(row, columns.texto, "a descripción");
            match (prioridad, tipo, descripcion) {
                (Some(prioridad), Some(tipo), Some(descripcion)) => {
                    objetivos.push(ObjetivoMinisterial {
                        prioridad,
                        tipo,
                        descripcion,
                        line: row.line,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(objetivos)
    }

    fn objetivos_institucionales(
        &mut self,
        table: Option<(Columns, Vec<Row>)>,
        ministeriales: Option<&[u32]>,
    ) -> Option<Vec<ObjetivoInstitucional>> {
        let (columns, rows) = table?;
        let mut seen = HashMap::new();
        let mut objetivos = Vec::with_capacity(rows.len());
        let mut ok = true;
        for row in &rows {
            let prioridad = self.number(row, columns.numero, "prioridad", &mut seen);
            let tipo = self.tipo(row, columns.tipo);
            let descripcion = self.text(row, columns.texto, "a descripción");
            let genero = self.si_no(row, columns.genero, "Enfoque de Género");
            let clima = self.si_no(row, columns.clima, "Cambio Climático");
            let links = self.links(row, columns.enlaces, "ministry objective");
            let links = links.and_then(|links| {
                let known = ministeriales?;
                self.check_links(row, &links, known, "a ministry objective this ficha lists")
                    .then_some(links)
            });
            match (prioridad, tipo, descripcion, genero, clima, links) {
                (
                    Some(prioridad),
                    Some(tipo),
                    Some(descripcion),
                    Some(enfoque_genero),
                    Some(cambio_climatico),
                    Some(links),
                ) => objetivos.push(ObjetivoInstitucional {
                    prioridad,
                    tipo,
                    descripcion,
                    enfoque_genero,
                    cambio_climatico,
                    objetivos_ministeriales: links,
                    line: row.line,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(objetivos)
    }

    fn productos(
        &mut self,
        table: Option<(Columns, Vec<Row>)>,
        institucionales: Option<&[u32]>,
    ) -> Option<Vec<Producto>> {
        let (columns, rows) = table?;
        let mut seen = HashMap::new();
        let mut productos = Vec::with_capacity(rows.len());
        let mut ok = true;
        for row in &rows {
            let numero = self.number(row, columns.numero, "número", &mut seen);
            let nombre = self.text(row, columns.texto, "the name of the bien / servicio");
            let links = self.links(row, columns.enlaces, "institutional objective");
            let links = links.and_then(|links| {
                let known = institucionales?;
                self.check_links(
                    row,
                    &links,
                    known,
                    "an institutional objective this ficha lists",
                )
                .then_some(links)
            });
            match (numero, nombre, links) {
                (Some(numero), Some(nombre), Some(objetivos)) => productos.push(Producto {
                    numero,
                    nombre,
                    objetivos,
                    line: row.line,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(productos)
    }

    /// A row's number (prioridad or número), unique in its table.
    fn number(
        &mut self,
        row: &Row,
        column: Option<usize>,
        what: &str,
        seen: &mut HashMap<u32, usize>,
    ) -> Option<u32> {
        let cell = row.cell(column);
        let Some(number) = cell.parse::<u32>().ok().filter(|&n| n > 0) else {
            self.error(
                row.line,
                format!("{what} as a whole number"),
                Found::Text(cell.to_owned()),
            );
            return None;
        };
        if let Some(first) = seen.insert(number, row.line) {
            self.error(
                row.line,
                format!("a {what} not used before (it is at line {first})"),
                Found::Text(cell.to_owned()),
            );
            return None;
        }
        Some(number)
    }

    /// `Estratégico` or `Gestión Institucional`; tables without a Tipo
    /// column (older fichas) hold only strategic objectives.
    fn tipo(&mut self, row: &Row, column: Option<usize>) -> Option<TipoObjetivo> {
        if column.is_none() {
            return Some(TipoObjetivo::Estrategico);
        }
        let cell = row.cell(column);
        match fold(cell).as_str() {
            "estrategico" => Some(TipoObjetivo::Estrategico),
            "gestion institucional" => Some(TipoObjetivo::GestionInstitucional),
            _ => {
                self.error(
                    row.line,
                    "tipo \"Estratégico\" or \"Gestión Institucional\"",
                    Found::Text(cell.to_owned()),
                );
                None
            }
        }
    }

    fn text(&mut self, row: &Row, column: Option<usize>, what: &str) -> Option<String> {
        let cell = row.cell(column);
        if cell.is_empty() {
            self.error(row.line, what, Found::Text(row.first.text.to_owned()));
            return None;
        }
        Some(cell.to_owned())
    }

    /// A `Si`/`No` attribute; tables without the column (older fichas) say No.
    fn si_no(&mut self, row: &Row, column: Option<usize>, what: &str) -> Option<bool> {
        if column.is_none() {
            return Some(false);
        }
        let cell = row.cell(column);
        match fold(cell).as_str() {
            "si" => Some(true),
            "no" => Some(false),
            _ => {
                self.error(
                    row.line,
                    format!("\"Si\" or \"No\" for {what}"),
                    Found::Text(cell.to_owned()),
                );
                None
            }
        }
    }

    /// A list of objective numbers: `1`, `1, 3`, `1,3`, `1 y 3`, `1-3`.
    fn links(&mut self, row: &Row, column: Option<usize>, what: &str) -> Option<Vec<u32>> {
        let cell = row.cell(column);
        let parsed = parse_links(cell);
        if parsed.is_none() {
            self.error(
                row.line,
                format!("a list of {what} numbers such as \"1\", \"1, 3\", \"1 y 3\" or \"1-3\""),
                Found::Text(cell.to_owned()),
            );
        }
        parsed
    }

    /// Every link names a known number; one error per row however many do
    /// not (a range such as `100-1100` would otherwise make a thousand).
    /// `known` is sorted.
    fn check_links(&mut self, row: &Row, links: &[u32], known: &[u32], what: &str) -> bool {
        let unknown: Vec<u32> = links
            .iter()
            .copied()
            .filter(|link| known.binary_search(link).is_err())
            .collect();
        if unknown.is_empty() {
            return true;
        }
        let expected = format!("{what} (one of {})", list_numbers(known));
        self.error(row.line, expected, Found::Text(list_numbers(&unknown)));
        false
    }
}

impl Columns {
    /// Read column roles from the folded header text of each column.
    fn from_header(section: Section, cells: &BTreeMap<usize, String>) -> Columns {
        let find = |pred: &dyn Fn(&str) -> bool, skip: &[Option<usize>]| {
            cells
                .iter()
                .find(|(i, text)| !skip.contains(&Some(**i)) && pred(text.trim()))
                .map(|(i, _)| *i)
        };
        let numero = find(
            &|t| t.contains("prioridad") || t.contains("numero") || matches!(t, "n°" | "no" | "n"),
            &[],
        );
        let enlaces = match section {
            Section::ObjetivosInstitucionales => find(
                &|t| {
                    t.contains("ministerio") && (t.contains("relacionad") || t.contains("vincula"))
                },
                &[numero],
            ),
            Section::Productos => find(
                &|t| t.contains("objetivo") && (t.contains("relacionad") || t.contains("vincula")),
                &[numero],
            ),
            _ => None,
        };
        let tipo = find(&|t| t.contains("tipo"), &[numero, enlaces]);
        let texto = match section {
            Section::Productos => find(
                &|t| t.contains("bien") || t.contains("producto") || t.contains("nombre"),
                &[numero, enlaces],
            ),
            _ => find(&|t| t.contains("descripcion"), &[numero, enlaces, tipo]),
        };
        let (genero, clima) = match section {
            Section::ObjetivosInstitucionales => (
                find(&|t| t.contains("genero"), &[numero, enlaces]),
                find(&|t| t.contains("climatico"), &[numero, enlaces]),
            ),
            _ => (None, None),
        };
        Columns {
            numero,
            tipo,
            texto,
            genero,
            clima,
            enlaces,
        }
    }

    fn missing(&self, section: Section) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.numero.is_none() {
            missing.push("numero");
        }
        if self.texto.is_none() {
            missing.push("texto");
        }
        if section != Section::ObjetivosMinisteriales && self.enlaces.is_none() {
            missing.push("enlaces");
        }
        missing
    }
}

fn columns_expected(section: Section) -> &'static str {
    match section {
        Section::ObjetivosMinisteriales => "Prioridad, Tipo de Objetivo, Descripción",
        Section::ObjetivosInstitucionales => {
            "Prioridad, Tipo de Objetivo, Descripción, Enfoque de Género, Cambio Climático, Objetivos del Ministerio Relacionados"
        }
        _ => "Número, Bien / Servicio Final, N° Objetivo Estratégico Relacionado",
    }
}

/// Whether a first cell reads as a column title rather than a row number.
fn looks_like_header(cell: &str) -> bool {
    let folded = fold(cell);
    [
        "prioridad",
        "numero",
        "tipo",
        "descripcion",
        "objetivo",
        "bien",
        "producto",
        "nombre",
    ]
    .iter()
    .any(|word| folded.contains(word))
        || matches!(folded.as_str(), "n°" | "no" | "n")
}

/// The numbers a table's rows carry, where they read as numbers.
fn numbers(table: &Option<(Columns, Vec<Row>)>) -> Option<Vec<u32>> {
    let (columns, rows) = table.as_ref()?;
    let mut numbers: Vec<u32> = rows
        .iter()
        .filter_map(|row| row.cell(columns.numero).parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    Some(numbers)
}

fn year_of(text: &str) -> Option<i32> {
    // Four digits, not starting with 0: `0999` would read as 999, which
    // renders as `999` and is then refused.
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0'))
        .then(|| text.parse().ok())
        .flatten()
}

/// Parse a link list; `None` when it is not one. Sorted, without repeats.
fn parse_links(cell: &str) -> Option<Vec<u32>> {
    let mut links = Vec::new();
    let normalised = fold(cell).replace(" y ", ",").replace(';', ",");
    for part in normalised.split(',').map(str::trim) {
        if part.is_empty() {
            if cell.trim().is_empty() {
                continue;
            }
            return None;
        }
        let bounds: Vec<&str> = part.split(['-', '–', '—']).map(str::trim).collect();
        let number = |s: &str| s.parse::<u32>().ok().filter(|&n| n > 0);
        match bounds.as_slice() {
            [n] => links.push(number(n)?),
            [from, to] => {
                let (from, to) = (number(from)?, number(to)?);
                if from > to || to - from > 1000 {
                    return None;
                }
                links.extend(from..=to);
            }
            _ => return None,
        }
    }
    links.sort_unstable();
    links.dedup();
    Some(links)
}

/// `1, 2, 3` for a message: at most 20 numbers, then how many more.
fn list_numbers(numbers: &[u32]) -> String {
    const LISTED: usize = 20;
    let mut list = numbers
        .iter()
        .take(LISTED)
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if numbers.len() > LISTED {
        list.push_str(&format!(" and {} more", numbers.len() - LISTED));
    }
    list
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_regressions;
