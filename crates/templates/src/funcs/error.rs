//! Why a template function failed, worded exactly as Go's and Prometheus's functions word
//! it: the executor prints the text after `error calling NAME: `, and users (and golden
//! tests) compare those texts with Prometheus's.

use crate::QueryRunnerError;
use crate::gofmt::quote::go_quote;
use crate::gotime::PromDurationError;

/// A template function's failure. Typed so callers can tell an argument problem from a
/// failed query or a bad pattern; its `Display` is the Go error text users see.
#[derive(Debug, thiserror::Error)]
pub enum FuncError {
    /// `len` of nil.
    #[error("len of nil pointer")]
    LenOfNil,
    /// `len` of a value without a length (Go type name).
    #[error("len of type {0}")]
    LenOfType(String),
    /// A nil slice/array index.
    #[error("cannot index slice/array with nil")]
    IndexWithNil,
    /// A slice/array index that is not an int (Go type name).
    #[error("cannot index slice/array with type {0}")]
    IndexWithType(String),
    /// An index outside the value.
    #[error("index out of range: {0}")]
    IndexOutOfRange(i64),
    /// A nil map key.
    #[error("value is nil; should be of type string")]
    MapKeyNil,
    /// A map key that is not a string (Go type name).
    #[error("value has type {0}; should be string")]
    MapKeyType(String),
    /// `index` of nil.
    #[error("index of untyped nil")]
    IndexOfNil,
    /// `index` of a value that cannot be indexed (Go type name).
    #[error("can't index item of type {0}")]
    CannotIndex(String),
    /// `slice` of nil.
    #[error("slice of untyped nil")]
    SliceOfNil,
    /// `slice` with more than three indexes.
    #[error("too many slice indexes: {0}")]
    TooManySliceIndexes(usize),
    /// A three-index `slice` of a string.
    #[error("cannot 3-index slice a string")]
    ThreeIndexString,
    /// `slice` of a value that cannot be sliced (Go type name).
    #[error("can't slice item of type {0}")]
    CannotSlice(String),
    /// Slice indexes out of order.
    #[error("invalid slice index: {0} > {1}")]
    InvalidSliceIndex(usize, usize),
    /// `eq` with nothing to compare with.
    #[error("missing argument for comparison")]
    MissingComparisonArgument,
    /// Comparing values of different kinds.
    #[error("incompatible types for comparison")]
    IncompatibleComparison,
    /// Ordering values that cannot be ordered.
    #[error("invalid type for comparison")]
    InvalidComparisonType,
    /// `eq` of values Go cannot compare.
    #[error("non-comparable types {left}: {left_type}, {right_type}: {right}")]
    NonComparable {
        /// The left value as `%v`.
        left: String,
        /// Go type of the left value.
        left_type: String,
        /// Go type of the right value.
        right_type: String,
        /// The right value as `%v`.
        right: String,
    },
    /// `call` of nil.
    #[error("call of nil")]
    CallOfNil,
    /// `call` of something that is not a function (Go type name).
    #[error("non-function of type {0}")]
    NonFunction(String),
    /// `query` without a query engine.
    #[error("no query engine is available to this template")]
    NoQueryEngine,
    /// The query engine failed; its text is shown as is.
    #[error(transparent)]
    Query(QueryRunnerError),
    /// `first` of an empty result.
    #[error("first() called on vector with no elements")]
    EmptyResult,
    /// A nil `*sample` dereferenced (a panic in Go).
    #[error("runtime error: invalid memory address or nil pointer dereference")]
    NilDereference,
    /// `match`: the pattern does not compile.
    #[error("error parsing regexp: {reason}: `{pattern}`")]
    Regex {
        /// The pattern as written.
        pattern: String,
        /// Go's reason text.
        reason: String,
    },
    /// `reReplaceAll`: the pattern does not compile (Go's `regexp.MustCompile` panic).
    #[error(
        "regexp: Compile({}): error parsing regexp: {reason}: `{pattern}`",
        if crate::gofmt::quote::can_backquote(.pattern) { format!("`{}`", .pattern) } else { go_quote(.pattern, false) }
    )]
    MustCompile {
        /// The pattern as written.
        pattern: String,
        /// Go's reason text.
        reason: String,
    },
    /// A string that is not a number where a float is wanted.
    #[error("strconv.ParseFloat: parsing {}: {reason}", go_quote(.input, false))]
    ParseFloat {
        /// The text.
        input: String,
        /// `invalid syntax` or `value out of range`.
        reason: &'static str,
    },
    /// A value that cannot become a float (Go type name).
    #[error("can't convert {0} to float")]
    ToFloat(String),
    /// A NaN or infinite timestamp.
    #[error("value is NaN or Inf")]
    NanOrInf,
    /// A timestamp beyond int64 nanoseconds (the value as Go prints it).
    #[error("{0} cannot be represented as a nanoseconds timestamp since it overflows int64")]
    TimeOverflow(String),
    /// `parseDuration` of an invalid duration.
    #[error(transparent)]
    Duration(#[from] PromDurationError),
    /// A function defined outside this crate (e.g. by the notification templates)
    /// failed; its text is shown as is.
    #[error(transparent)]
    External(Box<dyn std::error::Error + Send + Sync>),
}

impl FuncError {
    /// An index that does not fit the value.
    pub(crate) fn out_of_range(i: usize) -> FuncError {
        FuncError::IndexOutOfRange(i64::try_from(i).unwrap_or(i64::MAX))
    }
}
