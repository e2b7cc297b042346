//! The account's client CAs: CreateCa, ReadCas, UpdateCa and DeleteCa, with the spec's field
//! names. A `CaPem` must hold exactly one CA certificate.

use keygate_core::{Ca, CaFilter, CaId, Caller};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Op;
use crate::body::{body, dry, id, ids};
use crate::error::OscError;

fn ca(c: &Ca) -> Value {
    json!({"CaFingerprint": c.fingerprint, "CaId": c.id.as_str(), "Description": c.description})
}

fn ca_id(v: &str) -> Result<CaId, OscError> {
    id("CaId", v, CaId::parse)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateCaBody {
    ca_pem: String,
    description: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateCa {
    pub pem: String,
    pub fingerprint: String,
    pub description: String,
}

impl Op for CreateCa {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CreateCaBody = body(raw)?;
        let cert = keygate_auth::parse_ca(&b.ca_pem)
            .map_err(|e| OscError::InvalidCertificate(format!("CaPem: {e}.")))?;
        let call = Self {
            pem: cert.pem,
            fingerprint: cert.fingerprint,
            description: b.description.unwrap_or_default(),
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(json!({"Ca": ca(&c.create_ca(self.pem, self.fingerprint, self.description)?)}))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CaFilters {
    ca_fingerprints: Option<Vec<String>>,
    ca_ids: Option<Vec<String>>,
    descriptions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadCasBody {
    filters: Option<CaFilters>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadCas(pub CaFilter);

impl Op for ReadCas {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadCasBody = body(raw)?;
        let f = b.filters.unwrap_or_default();
        let filter = CaFilter {
            fingerprints: f.ca_fingerprints,
            ids: ids("Filters.CaIds", f.ca_ids, CaId::parse)?,
            descriptions: f.descriptions,
        };
        Ok((Self(filter), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let cas: Vec<Value> = c.read_cas(&self.0)?.iter().map(ca).collect();
        Ok(json!({"Cas": cas}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateCaBody {
    ca_id: String,
    description: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateCa {
    pub id: CaId,
    pub description: String,
}

impl Op for UpdateCa {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UpdateCaBody = body(raw)?;
        let call = Self {
            id: ca_id(&b.ca_id)?,
            description: b.description.unwrap_or_default(),
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(json!({"Ca": ca(&c.update_ca(&self.id, self.description)?)}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DeleteCaBody {
    ca_id: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteCa(pub CaId);

impl Op for DeleteCa {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DeleteCaBody = body(raw)?;
        Ok((Self(ca_id(&b.ca_id)?), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_ca(&self.0)?;
        Ok(json!({}))
    }
}
