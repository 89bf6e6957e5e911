//! Synthetic fichas at national scale, for benchmarks and stress runs
//! (`definiciones generate`).
//!
//! The fichas are written in the published layout with the quirks real
//! extraction has — blank page-break lines inside tables, a header repeated
//! after a page break, rows continued on a line of empty leading cells,
//! link lists written `1, 3` or `1 y 3` — so that importing them exercises
//! the same parser paths as real documents. Sizes follow real fichas: 5–15
//! institutional objectives and 5–30 productos per servicio, 1–3 links
//! each. The same seed gives the same files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::layout::Section;
use super::render::{self, Extraction, PageBreak};
use super::{
    Ficha, ObjetivoInstitucional, ObjetivoMinisterial, Partida, Periodo, Producto, Servicio,
    TipoObjetivo,
};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Ministries (partidas).
    pub partidas: usize,
    /// Services (servicios) in all, spread over the partidas.
    pub servicios: usize,
    /// Planning períodos per servicio (each a ficha): 2024-2026, 2021-2023, …
    pub periodos: usize,
    /// Seed: the same seed gives the same fichas.
    pub seed: u64,
}

const AREAS: &[&str] = &[
    "EDUCACIÓN",
    "SALUD",
    "VIVIENDA Y URBANISMO",
    "OBRAS PÚBLICAS",
    "AGRICULTURA",
    "ECONOMÍA, FOMENTO Y TURISMO",
    "DESARROLLO SOCIAL Y FAMILIA",
    "TRABAJO Y PREVISIÓN SOCIAL",
    "HACIENDA",
    "JUSTICIA Y DERECHOS HUMANOS",
    "MEDIO AMBIENTE",
    "ENERGÍA",
    "MINERÍA",
    "TRANSPORTES Y TELECOMUNICACIONES",
    "BIENES NACIONALES",
    "DEPORTE",
    "LA MUJER Y LA EQUIDAD DE GÉNERO",
    "LAS CULTURAS, LAS ARTES Y EL PATRIMONIO",
    "CIENCIA, TECNOLOGÍA, CONOCIMIENTO E INNOVACIÓN",
    "SEGURIDAD PÚBLICA",
    "RELACIONES EXTERIORES",
    "DEFENSA NACIONAL",
    "INTERIOR",
    "SECRETARÍA GENERAL DE LA PRESIDENCIA",
    "SECRETARÍA GENERAL DE GOBIERNO",
    "DESARROLLO REGIONAL",
    "PESCA Y ACUICULTURA",
    "AGUAS",
    "CIUDADES",
    "PUEBLOS INDÍGENAS",
];
const KINDS: &[&str] = &[
    "SUBSECRETARÍA DE",
    "SERVICIO NACIONAL DE",
    "DIRECCIÓN GENERAL DE",
    "INSTITUTO NACIONAL DE",
    "SUPERINTENDENCIA DE",
    "COMISIÓN NACIONAL DE",
    "FONDO NACIONAL DE",
    "AGENCIA DE",
];
const VERBS: &[&str] = &[
    "Fortalecer",
    "Promover",
    "Mejorar",
    "Garantizar",
    "Desarrollar",
    "Asegurar",
    "Implementar",
    "Coordinar",
    "Fomentar",
    "Diseñar",
    "Ampliar",
    "Modernizar",
    "Articular",
    "Consolidar",
];
const OBJECTS: &[&str] = &[
    "la participación ciudadana",
    "el acceso a la información pública",
    "la gestión territorial",
    "los servicios de atención primaria",
    "la educación técnico-profesional",
    "la protección del medio ambiente",
    "la igualdad de género",
    "la seguridad de las personas",
    "la innovación productiva",
    "la transparencia institucional",
    "la infraestructura pública",
    "la atención de emergencias",
    "el desarrollo rural",
    "la inclusión de personas con discapacidad",
    "la eficiencia energética",
    "la calidad de la vivienda",
    "el cuidado de niños, niñas y adolescentes",
    "la fiscalización sectorial",
    "la formación de capital humano",
    "la adaptación al cambio climático",
];
const WAYS: &[&str] = &[
    "en todas las regiones del país",
    "con enfoque de género",
    "mediante alianzas público-privadas",
    "para las personas mayores",
    "con pertinencia cultural e intercultural",
    "a través de plataformas digitales",
    "en coordinación con los gobiernos regionales",
    "con participación de la sociedad civil",
    "reduciendo los tiempos de respuesta",
    "en zonas rurales y aisladas",
];
const PRODUCTS: &[&str] = &[
    "Programa de",
    "Fondo concursable de",
    "Asesoría técnica en",
    "Capacitación en",
    "Plataforma digital de",
    "Fiscalización de",
    "Subsidio para",
    "Estudios sobre",
    "Campañas de difusión sobre",
    "Atención de consultas sobre",
];
const TOPICS: &[&str] = &[
    "participación ciudadana",
    "gestión de riesgos",
    "innovación pública",
    "salud mental",
    "eficiencia hídrica",
    "emprendimiento femenino",
    "seguridad vial",
    "patrimonio cultural",
    "transformación digital",
    "economía circular",
    "vivienda social",
    "pueblos originarios",
];

fn sentence(rng: &mut ChaCha8Rng) -> String {
    let pick =
        |rng: &mut ChaCha8Rng, list: &[&'static str]| *list.choose(rng).expect("non-empty list");
    let mut text = format!(
        "{} {} {}",
        pick(rng, VERBS),
        pick(rng, OBJECTS),
        pick(rng, WAYS)
    );
    if rng.random_bool(0.5) {
        let _ = write!(
            text,
            ", {} {}",
            pick(rng, VERBS).to_lowercase(),
            pick(rng, OBJECTS)
        );
    }
    text.push('.');
    text
}

/// A sorted, distinct list of 1 to 3 numbers from 1..=count.
fn links(rng: &mut ChaCha8Rng, count: u32) -> Vec<u32> {
    let n = rng.random_range(1..=3.min(count));
    let mut links: Vec<u32> = (0..n).map(|_| rng.random_range(1..=count)).collect();
    links.sort_unstable();
    links.dedup();
    links
}

fn tipo(rng: &mut ChaCha8Rng) -> TipoObjetivo {
    if rng.random_bool(0.75) {
        TipoObjetivo::Estrategico
    } else {
        TipoObjetivo::GestionInstitucional
    }
}

/// Every ficha of a scale, as values.
pub fn fichas(scale: Scale) -> Vec<Ficha> {
    let mut rng = ChaCha8Rng::seed_from_u64(scale.seed);
    let partidas = scale.partidas.max(1);
    let periodos: Vec<Periodo> = (0..scale.periodos.max(1) as i32)
        .map(|i| Periodo {
            desde: 2024 - 3 * i,
            hasta: 2026 - 3 * i,
        })
        .collect();
    let mut out = Vec::with_capacity(scale.servicios * periodos.len());
    for p in 0..partidas {
        let partida = Partida {
            codigo: format!("{:02}", p + 1),
            nombre: format!("MINISTERIO DE {}", AREAS[p % AREAS.len()]),
        };
        // Ministry objectives per período, shared by the partida's fichas.
        let ministeriales: Vec<Vec<ObjetivoMinisterial>> = periodos
            .iter()
            .map(|_| {
                (1..=rng.random_range(4..=9u32))
                    .map(|prioridad| ObjetivoMinisterial {
                        prioridad,
                        tipo: tipo(&mut rng),
                        descripcion: sentence(&mut rng),
                        line: 0,
                    })
                    .collect()
            })
            .collect();
        let servicios = scale.servicios / partidas + usize::from(p < scale.servicios % partidas);
        for c in 0..servicios {
            let servicio = Servicio {
                capitulo: format!("{:02}", c + 1),
                nombre: format!(
                    "{} {}",
                    KINDS[(p + c) % KINDS.len()],
                    AREAS[(p * 7 + c * 3) % AREAS.len()]
                ),
            };
            for (periodo, ministeriales) in periodos.iter().zip(&ministeriales) {
                let count_m = ministeriales.len() as u32;
                let count_oi = rng.random_range(5..=15u32);
                let objetivos_institucionales = (1..=count_oi)
                    .map(|prioridad| ObjetivoInstitucional {
                        prioridad,
                        tipo: tipo(&mut rng),
                        descripcion: sentence(&mut rng),
                        enfoque_genero: rng.random_bool(0.4),
                        cambio_climatico: rng.random_bool(0.2),
                        objetivos_ministeriales: links(&mut rng, count_m),
                        line: 0,
                    })
                    .collect();
                let productos = (1..=rng.random_range(5..=30u32))
                    .map(|numero| Producto {
                        numero,
                        nombre: format!(
                            "{} {}.",
                            PRODUCTS.choose(&mut rng).expect("non-empty"),
                            TOPICS.choose(&mut rng).expect("non-empty")
                        ),
                        objetivos: links(&mut rng, count_oi),
                        line: 0,
                    })
                    .collect();
                out.push(Ficha {
                    partida: partida.clone(),
                    servicio: servicio.clone(),
                    periodo: *periodo,
                    ley_organica: format!(
                        "Ley N° {}.{:03} publicada en D.O. {}/{}/{}.",
                        rng.random_range(18..=21),
                        rng.random_range(0..1000),
                        rng.random_range(1..=28),
                        rng.random_range(1..=12),
                        rng.random_range(1980..=2020)
                    ),
                    mision: format!("{} {}", sentence(&mut rng), sentence(&mut rng)),
                    objetivos_ministeriales: ministeriales.clone(),
                    objetivos_institucionales,
                    productos,
                    line: 0,
                });
            }
        }
    }
    out
}

/// A ficha as an extractor prints it: the published layout with page
/// breaks, repeated headers, continued rows and `y` in link lists.
pub fn render_as_extracted(ficha: &Ficha, rng: &mut ChaCha8Rng) -> String {
    let mut out = String::with_capacity(8192);
    out.push_str("\n\n");
    render::write(&mut out, ficha, &mut Extractor { rng });
    out
}

/// The quirks of extraction, drawn from the generator's random numbers.
struct Extractor<'r> {
    rng: &'r mut ChaCha8Rng,
}

impl Extraction for Extractor<'_> {
    fn page_break(&mut self, section: Section) -> PageBreak {
        // Blank lines inside the ministry objectives; the other tables
        // repeat their header after a page break.
        let (chance, page_break) = match section {
            Section::ObjetivosMinisteriales => (0.1, PageBreak::Blank),
            Section::ObjetivosInstitucionales => (0.08, PageBreak::RepeatedHeader),
            _ => (0.05, PageBreak::RepeatedHeader),
        };
        if self.rng.random_bool(chance) {
            page_break
        } else {
            PageBreak::None
        }
    }

    fn links(&mut self, numbers: &[u32]) -> String {
        let parts: Vec<String> = numbers.iter().map(u32::to_string).collect();
        match parts.as_slice() {
            [init @ .., last] if !init.is_empty() && self.rng.random_bool(0.4) => {
                format!("{} y {last}", init.join(", "))
            }
            _ => parts.join(", "),
        }
    }

    /// A long description broken by a page break.
    fn split_text(&mut self, section: Section, text: &str) -> Option<(String, String)> {
        if section != Section::ObjetivosInstitucionales {
            return None;
        }
        text.rsplit_once(' ')
            .filter(|_| self.rng.random_bool(0.1))
            .map(|(start, end)| (start.to_owned(), end.to_owned()))
    }
}

/// Write the fichas of a scale into `dir`; returns the files written.
pub fn write(scale: Scale, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(scale.seed ^ 0x5eed);
    let mut written = Vec::new();
    for ficha in fichas(scale) {
        let path = dir.join(ficha.file_name());
        std::fs::write(&path, render_as_extracted(&ficha, &mut rng))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ficha::parse;

    #[test]
    fn generated_fichas_parse_back_to_what_was_generated() {
        let scale = Scale {
            partidas: 4,
            servicios: 12,
            periodos: 2,
            seed: 7,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let fichas = fichas(scale);
        assert_eq!(fichas.len(), 24);
        for ficha in &fichas {
            let text = render_as_extracted(ficha, &mut rng);
            let parsed = parse("generated.txt", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(parsed.without_lines(), *ficha);
            assert!((5..=15).contains(&ficha.objetivos_institucionales.len()));
            assert!((5..=30).contains(&ficha.productos.len()));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_fichas() {
        let scale = Scale {
            partidas: 2,
            servicios: 3,
            periodos: 1,
            seed: 42,
        };
        assert_eq!(fichas(scale), fichas(scale));
        assert_ne!(fichas(scale), fichas(Scale { seed: 43, ..scale }));
    }
}
