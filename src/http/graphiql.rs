//! GraphiQL, served whole by this binary: the page and the browser assets it
//! loads (GraphiQL, React, ReactDOM, and the Explorer plugin that builds a
//! query from ticked fields), embedded at build time from `assets/graphiql/`,
//! so the IDE works offline and never asks a CDN.
//!
//! This module owns the page's HTML and the `/graphiql/{file}` routes; which
//! requests get the page, and the query it opens on, are `crate::http`'s.
//! The vendored files, their versions and licences, and the script that
//! refreshes them are described in `assets/graphiql/README.md`.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// One embedded file, served at `/graphiql/{name}`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

/// Embed `assets/graphiql/$name`. Every name carries its package's version,
/// so a URL's content never changes and browsers may cache it for good.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/graphiql/",
                $name
            )),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

const GRAPHIQL_CSS: Asset = asset!("graphiql-3.9.0.min.css", CSS);
const REACT_JS: Asset = asset!("react-18.3.1.production.min.js", JS);
const REACT_DOM_JS: Asset = asset!("react-dom-18.3.1.production.min.js", JS);
const GRAPHIQL_JS: Asset = asset!("graphiql-3.9.0.min.js", JS);
/// `@graphiql/plugin-explorer`: the sidebar's query builder. Its UMD build
/// uses the React and `@graphiql/react` that the scripts above define.
const EXPLORER_CSS: Asset = asset!("graphiql-plugin-explorer-3.2.6.css", CSS);
const EXPLORER_JS: Asset = asset!("graphiql-plugin-explorer-3.2.6.umd.js", JS);

/// Everything under `/graphiql/`: what the page loads, and the licences
/// that must travel with that code.
const ASSETS: [Asset; 11] = [
    GRAPHIQL_CSS,
    REACT_JS,
    REACT_DOM_JS,
    GRAPHIQL_JS,
    EXPLORER_CSS,
    EXPLORER_JS,
    asset!("graphiql-3.9.0.LICENSE.txt", TEXT),
    asset!("react-18.3.1.LICENSE.txt", TEXT),
    asset!("react-dom-18.3.1.LICENSE.txt", TEXT),
    asset!("graphiql-plugin-explorer-3.2.6.LICENSE.txt", TEXT),
    asset!("graphiql-explorer-0.9.0.LICENSE.txt", TEXT),
];

/// The query GraphiQL opens with: the sample's links, both ways.
pub const DEFAULT_QUERY: &str = r#"# Definiciones Estratégicas: a producto, the objectives it serves, and back.
# Lists take `first` (50 when omitted); the cost of a query counts page sizes.
query Enlaces {
  productos(filter: { search: "dialogos con la sociedad civil" }, first: 5) {
    totalCount
    nodes {
      numero
      nombre
      servicio { capitulo nombre partida { codigo nombre } }
      objetivosInstitucionales(first: 5) {
        nodes {
          prioridad
          descripcion
          objetivosMinisteriales(first: 3) {
            nodes {
              prioridad
              descripcion
              objetivosInstitucionales(first: 10) {
                nodes { prioridad productos(first: 10) { nodes { numero nombre } } }
              }
            }
          }
        }
      }
    }
  }
  sinProductos: objetivosInstitucionales(filter: { sinProductos: true }, first: 20) {
    totalCount
    nodes { prioridad tipo descripcion servicio { nombre } }
  }
}
"#;

/// Where the assets are served.
const PREFIX: &str = "/graphiql/";

/// A year, the most `max-age` caches honour: the URLs are versioned.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// The browser's `localStorage` key for the sidebar pane the developer left
/// open: an empty string when they closed it, absent on a first visit.
/// GraphiQL 3.9 does not remember it itself.
const SIDEBAR_KEY: &str = "definiciones:sidebar";

/// The GraphiQL page, opened on [`DEFAULT_QUERY`].
pub async fn page() -> Html<String> {
    page_opened_on(DEFAULT_QUERY)
}

/// The GraphiQL page, opened on `default_query`.
///
/// It loads only this server's `/graphiql/…` assets and talks only to
/// `/graphql`; its Content-Security-Policy makes the browser refuse anything
/// else, so a future GraphiQL that reached for a CDN would fail loudly here
/// rather than quietly need the network.
///
/// On a first visit the sidebar shows the Explorer, so a newcomer sees the
/// schema's fields as boxes to tick beside the example query; later visits
/// open whichever pane (Explorer, Docs, History or none) was left open.
///
/// The Explorer focuses every argument box it draws unless a text area has
/// the focus, so drawing the example query's tree (when the schema arrives,
/// or when the pane opens) would leave the focus in its last `first:` box
/// and the pane scrolled down to it. The page puts the focus in the query
/// editor just before, which is also where a developer starts typing.
///
/// The Explorer sizes its text boxes (the query's name, argument values) in
/// `ch` of its monospace font, which the boxes use only when told to inherit
/// it, and as content width, which GraphiQL's `border-box` would cut.
fn page_opened_on(default_query: &str) -> Html<String> {
    let script = format!(
        r#"
    const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
    const explorer = GraphiQLPluginExplorer.explorerPlugin();
    let sidebar = null;
    try {{ sidebar = localStorage.getItem({key}); }} catch (_) {{}}
    if (sidebar === null) sidebar = explorer.title;
    const editorFirst = () => {{
      if (sidebar === explorer.title && !(document.activeElement instanceof HTMLTextAreaElement)) {{
        document.querySelector(".graphiql-query-editor .CodeMirror")?.CodeMirror?.focus();
      }}
    }};
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{
        fetcher,
        defaultQuery: {default_query},
        plugins: [explorer],
        visiblePlugin: sidebar || undefined,
        onSchemaChange: editorFirst,
        onTogglePluginVisibility: (plugin) => {{
          sidebar = plugin ? plugin.title : "";
          try {{ localStorage.setItem({key}, sidebar); }} catch (_) {{}}
          editorFirst();
        }},
      }})
    );
  "#,
        default_query = script_string(default_query),
        key = script_string(SIDEBAR_KEY),
    );
    // The inline script is allowed by its hash, not by 'unsafe-inline'.
    let script_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&script));
    // GraphiQL sets style attributes and injects <style>; its fonts are data:
    // URLs inside the stylesheet.
    let policy = format!(
        "default-src 'none'; script-src 'self' 'sha256-{script_hash}'; \
         style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'"
    );
    Html(format!(
        r#"<!doctype html>
<html lang="es">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="{policy}">
  <title>definiciones — GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="{PREFIX}{css}">
  <link rel="stylesheet" href="{PREFIX}{explorer_css}">
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}
    .graphiql-explorer-root input {{ font-family: inherit; box-sizing: content-box; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <noscript>GraphiQL needs JavaScript; without it, POST queries to /graphql.</noscript>
  <script src="{PREFIX}{react}"></script>
  <script src="{PREFIX}{react_dom}"></script>
  <script src="{PREFIX}{graphiql}"></script>
  <script src="{PREFIX}{explorer}"></script>
  <script>{script}</script>
</body>
</html>"#,
        css = GRAPHIQL_CSS.name,
        react = REACT_JS.name,
        react_dom = REACT_DOM_JS.name,
        graphiql = GRAPHIQL_JS.name,
        explorer_css = EXPLORER_CSS.name,
        explorer = EXPLORER_JS.name,
    ))
}

/// `text` as a JavaScript string literal that is safe inside an HTML
/// `<script>`: no `</script>`, `<!--` or `]]>` can form, since `<`, `>` and
/// `&` are escaped, and U+2028/U+2029 cannot end the line early in older
/// engines. The literal is also valid JSON.
fn script_string(text: &str) -> String {
    let mut literal = String::with_capacity(text.len() + 2);
    literal.push('"');
    for c in text.chars() {
        match c {
            '"' => literal.push_str("\\\""),
            '\\' => literal.push_str("\\\\"),
            '\n' => literal.push_str("\\n"),
            '\r' => literal.push_str("\\r"),
            '\t' => literal.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                literal.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => literal.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => literal.push(c),
        }
    }
    literal.push('"');
    literal
}

/// `GET /graphiql/{file}`: the embedded assets, cached for good; 404 for
/// any other name.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/graphiql/{file}", get(serve_asset))
}

async fn serve_asset(Path(file): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == file) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, TEXT)],
            "no such GraphiQL asset\n",
        )
            .into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_FOREVER),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    /// Every `src="…"` and `href="…"` in the page.
    fn references(page: &str) -> Vec<String> {
        let mut found = Vec::new();
        for attribute in ["src=\"", "href=\""] {
            for (at, _) in page.match_indices(attribute) {
                let rest = &page[at + attribute.len()..];
                let end = rest.find('"').expect("attribute values are closed");
                found.push(rest[..end].to_owned());
            }
        }
        found
    }

    async fn get(uri: &str) -> Response {
        routes::<()>()
            .oneshot(Request::get(uri).body(Body::empty()).expect("a request"))
            .await
            .expect("a response")
    }

    #[test]
    fn the_page_names_no_remote_url() {
        let Html(page) = page_opened_on("{ __typename }");
        assert!(!page.contains("http://"), "{page}");
        assert!(!page.contains("https://"), "{page}");
        let refs = references(&page);
        assert_eq!(refs.len(), 6, "{refs:?}");
        for url in refs {
            assert!(url.starts_with(PREFIX), "{url} is not one of ours");
        }
    }

    #[tokio::test]
    async fn every_asset_the_page_references_is_served_and_cached_for_good() {
        let Html(page) = page_opened_on("{ __typename }");
        for url in references(&page) {
            let response = get(&url).await;
            assert_eq!(response.status(), StatusCode::OK, "{url}");
            let headers = response.headers().clone();
            let expected = if url.ends_with(".js") { JS } else { CSS };
            assert_eq!(headers[header::CONTENT_TYPE], expected, "{url}");
            assert_eq!(headers[header::CACHE_CONTROL], CACHE_FOREVER, "{url}");
            let body = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            assert!(body.len() > 1000, "{url} is {} bytes", body.len());
        }
    }

    #[tokio::test]
    async fn licences_are_served_as_text() {
        for name in [
            "graphiql-3.9.0.LICENSE.txt",
            "react-18.3.1.LICENSE.txt",
            "react-dom-18.3.1.LICENSE.txt",
            "graphiql-plugin-explorer-3.2.6.LICENSE.txt",
            "graphiql-explorer-0.9.0.LICENSE.txt",
        ] {
            let response = get(&format!("{PREFIX}{name}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], TEXT);
        }
    }

    #[tokio::test]
    async fn unknown_names_are_not_found() {
        for uri in [
            "/graphiql/graphiql.min.js",
            "/graphiql/graphiql-0.0.0.min.js",
            "/graphiql/README.md",
            "/graphiql/update.sh",
            "/graphiql/..%2FCargo.toml",
            "/graphiql/",
        ] {
            assert_eq!(get(uri).await.status(), StatusCode::NOT_FOUND, "{uri}");
        }
    }

    #[test]
    fn every_vendored_file_is_embedded() {
        // A refresh that changed a version must rename the file here too.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/graphiql");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("assets/graphiql is readable")
            .map(|entry| {
                entry
                    .expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| !matches!(name.as_str(), "README.md" | "update.sh" | "SHA256SUMS"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.name.to_owned()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
        for asset in &ASSETS {
            let on_disk = std::fs::read(dir.join(asset.name)).expect("the vendored file");
            assert_eq!(on_disk, asset.body, "{} is stale", asset.name);
        }
    }

    #[test]
    fn the_default_query_cannot_close_the_script() {
        let hostile = "# </script><script>alert(1)</script> <!-- ]]> & \u{2028}\"\\\u{1}";
        let Html(page) = page_opened_on(hostile);
        assert!(!page.contains("alert(1)</script>"), "{page}");
        assert!(!page.contains("<!--"), "{page}");
        assert_eq!(page.matches("</script>").count(), 5, "{page}");
        let literal = script_string(hostile);
        let back: String = serde_json::from_str(&literal).expect("the literal is JSON");
        assert_eq!(back, hostile);
        assert!(page.contains(&literal));
    }

    #[test]
    fn the_inline_script_is_allowed_by_its_hash() {
        let Html(page) = page_opened_on("{ __typename }");
        let start = page.rfind("<script>").expect("the inline script") + "<script>".len();
        let end = page[start..].find("</script>").expect("closed") + start;
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&page[start..end]));
        assert!(page.contains(&format!("'sha256-{hash}'")), "{page}");
    }
}
