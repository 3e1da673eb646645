//! Event columns stored as blocks of little-endian bytes.
//!
//! A binary format such as postcard writes a `Vec<u32>` number by number, with a variable-length
//! code for each. A column of a million events is copied far faster as one block of bytes, so
//! the columns of a part of a file, which one engine sends to another, are stored this way: use
//! `#[serde(with = "packed")]` on the column.

use serde::{Deserialize, Deserializer, Serializer};
use serde_bytes::ByteBuf;

/// A value of an event column with a fixed size in bytes.
pub trait Packed: Copy {
    const SIZE: usize;
    fn put(self, bytes: &mut Vec<u8>);
    /// Reads the value from exactly [`Packed::SIZE`] bytes.
    fn take(bytes: &[u8]) -> Self;
}

macro_rules! packed_number {
    ($($number:ty),*) => {$(
        impl Packed for $number {
            const SIZE: usize = std::mem::size_of::<$number>();
            fn put(self, bytes: &mut Vec<u8>) {
                bytes.extend_from_slice(&self.to_le_bytes());
            }
            fn take(bytes: &[u8]) -> Self {
                let mut array = [0u8; std::mem::size_of::<$number>()];
                array.copy_from_slice(bytes);
                <$number>::from_le_bytes(array)
            }
        }
    )*};
}

packed_number!(u16, u32, i64, f64);

impl Packed for bool {
    const SIZE: usize = 1;
    fn put(self, bytes: &mut Vec<u8>) {
        bytes.push(u8::from(self));
    }
    fn take(bytes: &[u8]) -> Self {
        bytes[0] != 0
    }
}

pub fn serialize<T: Packed, S: Serializer>(column: &[T], serializer: S) -> Result<S::Ok, S::Error> {
    let mut bytes = Vec::with_capacity(column.len() * T::SIZE);
    for &value in column {
        value.put(&mut bytes);
    }
    serde_bytes::serialize(&bytes, serializer)
}

pub fn deserialize<'de, T: Packed, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
    let bytes = ByteBuf::deserialize(deserializer)?;
    if bytes.len() % T::SIZE != 0 {
        return Err(serde::de::Error::custom(format!("a column of {} bytes is not a whole number of values of {} bytes", bytes.len(), T::SIZE)));
    }
    Ok(bytes.chunks_exact(T::SIZE).map(T::take).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Columns {
        #[serde(with = "super")]
        times: Vec<i64>,
        #[serde(with = "super")]
        values: Vec<f64>,
        #[serde(with = "super")]
        flags: Vec<bool>,
    }

    #[test]
    fn columns_round_trip_through_postcard() {
        let columns = Columns { times: vec![-1, 0, 1_712_000_000_000, i64::MAX], values: vec![0.5, -2.0, 1e300], flags: vec![true, false] };
        let bytes = postcard::to_allocvec(&columns).unwrap();
        let back: Columns = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, columns);
        // NaN stands for a missing value and must come back as NaN.
        let nan = Columns { times: vec![], values: vec![f64::NAN], flags: vec![] };
        let back: Columns = postcard::from_bytes(&postcard::to_allocvec(&nan).unwrap()).unwrap();
        assert!(back.values[0].is_nan());
    }

    #[test]
    fn column_of_partial_value_is_an_error() {
        #[derive(serde::Serialize)]
        struct Raw {
            #[serde(with = "serde_bytes")]
            times: Vec<u8>,
            values: Vec<u8>,
            flags: Vec<u8>,
        }
        let raw = postcard::to_allocvec(&Raw { times: vec![1, 2, 3], values: vec![], flags: vec![] }).unwrap();
        assert!(postcard::from_bytes::<Columns>(&raw).is_err());
    }
}
