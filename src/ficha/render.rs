//! [`Ficha`] → text in the published layout, as `export` writes it.
//!
//! The output is what the parser reads best: the current section names, the
//! two-line header of the institutional objectives and the products' caption,
//! one line a row, no page breaks. Parsing it gives back the same ficha.

use std::fmt::Write;

use super::Ficha;

/// Render a ficha as published text (LF line endings, final newline).
pub fn render(ficha: &Ficha) -> String {
    let mut out = String::with_capacity(4096);
    let links = |numbers: &[u32]| {
        numbers
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let si_no = |value: bool| if value { "Si" } else { "No" };

    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "FICHA DE IDENTIFICACIÓN AÑO {periodo}\n\n\
         DEFINICIONES ESTRATÉGICAS\n\n\
         MINISTERIO\t{ministerio}\tPARTIDA\t{partida}\n\
         SERVICIO\t{servicio}\tCAPITULO\t{capitulo}\n\n\
         Ley orgánica o Decreto que la rige\n\n{ley}\n\n\
         Misión Institucional\n\n{mision}\n\n\
         Objetivos Estratégicos del Ministerio\n\n\
         Prioridad\tTipo de Objetivo\tDescripción\n",
        periodo = ficha.periodo,
        ministerio = ficha.partida.nombre,
        partida = ficha.partida.codigo,
        servicio = ficha.servicio.nombre,
        capitulo = ficha.servicio.capitulo,
        ley = ficha.ley_organica,
        mision = ficha.mision,
    );
    for o in &ficha.objetivos_ministeriales {
        let _ = writeln!(
            out,
            "{}\t{}\t{}",
            o.prioridad,
            o.tipo.as_published(),
            o.descripcion
        );
    }
    out.push_str(
        "\nObjetivos Estratégicos Institucionales\n\n\
         Prioridad\tTipo de Objetivo\tDescripción\tAtributos Considerados\t\tObjetivos del Ministerio Relacionados\n\
         \t\t\tEnfoque de Género\tCambio Climático\t\n",
    );
    for o in &ficha.objetivos_institucionales {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            o.prioridad,
            o.tipo.as_published(),
            o.descripcion,
            si_no(o.enfoque_genero),
            si_no(o.cambio_climatico),
            links(&o.objetivos_ministeriales),
        );
    }
    out.push_str(
        "\nBienes / Servicios Finales\n\n\
         Bienes / Servicios Finales\t\t\t\n\
         Número\tBien / Servicio Final\t\tN° Objetivo Estratégico Relacionado\n",
    );
    for p in &ficha.productos {
        let _ = writeln!(out, "{}\t{}\t\t{}", p.numero, p.nombre, links(&p.objetivos));
    }
    out
}
