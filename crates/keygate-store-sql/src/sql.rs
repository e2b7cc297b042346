//! What the shared statements need of an SQL engine: parameters, rows of cells, and a
//! connection inside a transaction (`Conn`) that runs a statement. Statements number their
//! parameters `?1`, `?2`, …; an engine that spells them otherwise rewrites them.

use std::borrow::Cow;

use keygate_core::CoreResult;

/// A statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
    Blob(Cow<'a, [u8]>),
    Bool(bool),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Self {
        Self::Text(Cow::Borrowed(s))
    }
}

impl From<i64> for Param<'_> {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

/// A value a statement can be given by reference, as `params!` takes them.
pub trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(Cow::Borrowed(self))
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(Cow::Borrowed(self))
    }
}

impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(Cow::Borrowed(self))
    }
}

impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(Cow::Borrowed(self))
    }
}

impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for u32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Bool(*self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        self.as_ref().map_or(Param::Null, ToParam::to_param)
    }
}

/// A statement's parameters, in order, each taken by reference.
#[macro_export]
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$($crate::sql::ToParam::to_param(&$p)),*] as &[$crate::sql::Param<'_>]
    };
}

pub use crate::params;

/// What a statement is given: `params![…]`, or an array of values of one type.
pub trait IntoParams<'a> {
    fn into_params(self) -> Vec<Param<'a>>;
}

impl<'a> IntoParams<'a> for &[Param<'a>] {
    fn into_params(self) -> Vec<Param<'a>> {
        self.to_vec()
    }
}

impl<'a, T: Into<Param<'a>>, const N: usize> IntoParams<'a> for [T; N] {
    fn into_params(self) -> Vec<Param<'a>> {
        self.into_iter().map(Into::into).collect()
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
    Bool(bool),
}

/// A row a statement answered; `'a` ties a row to the statement's run, as engines' rows are.
#[derive(Debug)]
pub struct Row<'a> {
    cells: Vec<Cell>,
    _run: std::marker::PhantomData<&'a ()>,
}

impl Row<'_> {
    pub fn new(cells: Vec<Cell>) -> Self {
        Self {
            cells,
            _run: std::marker::PhantomData,
        }
    }

    /// The value at `idx`, as `T`.
    pub fn get<T: FromCell>(&self, idx: usize) -> Result<T> {
        let cell = self
            .cells
            .get(idx)
            .ok_or_else(|| RowError(format!("the row has no column {idx}")))?;
        T::from_cell(cell).map_err(|want| RowError(format!("column {idx} is not {want}: {cell:?}")))
    }
}

/// A row that does not read as the store's record: an engine's answer of an unexpected type,
/// or a stored value that no longer satisfies its type's rule (the database was edited by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RowError(pub String);

pub type Result<T> = std::result::Result<T, RowError>;

/// A Rust value read from a cell; the error names what was wanted.
pub trait FromCell: Sized {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str>;
}

impl FromCell for i64 {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str> {
        match cell {
            Cell::Int(n) => Ok(*n),
            _ => Err("an integer"),
        }
    }
}

impl FromCell for u32 {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str> {
        i64::from_cell(cell).and_then(|n| u32::try_from(n).map_err(|_| "a 32-bit count"))
    }
}

impl FromCell for String {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str> {
        match cell {
            Cell::Text(s) => Ok(s.clone()),
            _ => Err("a text"),
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str> {
        match cell {
            Cell::Blob(b) => Ok(b.clone()),
            _ => Err("bytes"),
        }
    }
}

/// A truth value, stored as one by engines that have them and as 0 or 1 by those that do not.
impl FromCell for bool {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str> {
        match cell {
            Cell::Bool(b) => Ok(*b),
            Cell::Int(0) => Ok(false),
            Cell::Int(1) => Ok(true),
            _ => Err("a truth value"),
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: &Cell) -> std::result::Result<Self, &'static str> {
        match cell {
            Cell::Null => Ok(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// A connection inside one transaction, as the shared statements use it.
pub trait Conn {
    /// Runs a statement that answers rows.
    fn query(&self, sql: &str, params: &[Param<'_>]) -> CoreResult<Vec<Vec<Cell>>>;
    /// Runs a statement that changes rows; answers how many.
    fn execute(&self, sql: &str, params: &[Param<'_>]) -> CoreResult<u64>;
    /// Runs a statement that answers rows, handing them to `each` one at a time; an engine that
    /// can stream them does, so that a whole table is never held at once.
    fn for_each_row(
        &self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(Vec<Cell>) -> CoreResult<()>,
    ) -> CoreResult<()> {
        self.query(sql, params)?.into_iter().try_for_each(each)
    }
}
