//! Checking a document against the schema without running it: what
//! `definiciones persist` does before it stores anything, so that the
//! allow-list holds only documents that parse and validate.
//!
//! async-graphql validates as part of executing; an extension that stops
//! every operation before it runs leaves only the parsing and validation.
//! The limits are not checked here: they are the server's, they may differ
//! between servers, and a stored document is held to them when it runs.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::DocumentOperations;
use async_graphql::{EmptyMutation, EmptySubscription, Pos, Schema, ServerError};

use crate::graphql::QueryRoot;

/// Stops every operation after validation.
struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> async_graphql::Response {
        async_graphql::Response::new(async_graphql::Value::Null)
    }
}

/// One problem with a document: where (line and column, when there is a
/// place to point at) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The place in the document.
    pub at: Option<Pos>,
    /// What is wrong.
    pub message: String,
}

impl From<ServerError> for Problem {
    fn from(error: ServerError) -> Self {
        Problem {
            at: error.locations.first().copied(),
            message: error.message,
        }
    }
}

/// The names of `document`'s operations (`None` for an anonymous one) when
/// it parses and validates against the schema; every problem otherwise.
pub async fn check(document: &str) -> Result<Vec<Option<String>>, Vec<Problem>> {
    let parsed = async_graphql::parser::parse_query(document)
        .map_err(|e| vec![ServerError::from(e).into()])?;
    let names: Vec<Option<String>> = match &parsed.operations {
        DocumentOperations::Single(_) => vec![None],
        DocumentOperations::Multiple(named) => {
            // In the order the document writes them.
            let mut named: Vec<_> = named.iter().collect();
            named.sort_by_key(|(_, operation)| (operation.pos.line, operation.pos.column));
            named
                .into_iter()
                .map(|(name, _)| Some(name.to_string()))
                .collect()
        }
    };
    let schema = Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .extension(ValidateOnly)
        .finish();
    // Every operation is validated with the document; naming one only
    // picks which the (skipped) execution would run.
    let mut request = async_graphql::Request::new(document);
    if let Some(Some(first)) = names.first() {
        request = request.operation_name(first.clone());
    }
    let response = schema.execute(request).await;
    if response.errors.is_empty() {
        Ok(names)
    } else {
        Err(response.errors.into_iter().map(Problem::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_valid_document_gives_its_operations_names() {
        let names =
            check("query A { partidas { totalCount } } query B { productos { totalCount } }")
                .await
                .expect("valid");
        assert_eq!(names, [Some("A".to_owned()), Some("B".to_owned())]);
        assert_eq!(
            check("{ partidas { totalCount } }").await.expect("valid"),
            [None]
        );
        // Variables are the request's: a document that declares them is
        // valid without their values.
        let with_variables = "query Una($codigo: String!) { partida(codigo: $codigo) { nombre } }";
        assert_eq!(
            check(with_variables).await.expect("valid"),
            [Some("Una".to_owned())]
        );
    }

    #[tokio::test]
    async fn problems_name_their_line_and_column() {
        let problems = check("query A { partidas { totalCount } }\nquery B {\n  nada\n}")
            .await
            .expect_err("an unknown field");
        assert_eq!(
            problems[0].at,
            Some(Pos { line: 3, column: 3 }),
            "{problems:?}"
        );
        assert!(problems[0].message.contains("nada"), "{problems:?}");
        let problems = check("{ partidas { ").await.expect_err("does not parse");
        assert_eq!(problems[0].at.map(|p| p.line), Some(1), "{problems:?}");
    }
}
