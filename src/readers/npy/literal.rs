//! The Python literal subset NumPy writes in a header (dicts, tuples, lists, strings, integers,
//! True/False/None), parsed with depth and length caps: never `eval`.

/// Parses one literal from `text`.
pub(super) fn parse(text: &str) -> Result<Value, String> {
    Lit { s: text.as_bytes(), i: 0 }.value(0)
}

/// A value of the Python literal subset NumPy writes.
#[derive(Debug)]
pub(super) enum Value {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(#[allow(dead_code)] Vec<Value>),
    Dict(Vec<(String, Value)>),
}

struct Lit<'a> {
    s: &'a [u8],
    i: usize,
}

const MAX_DEPTH: usize = 16;
const MAX_ITEMS: usize = 4096;

impl Lit<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("header nests too deeply".into());
        }
        self.ws();
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if self.eat(b'}') {
                        return Ok(Value::Dict(items));
                    }
                    let Value::Str(k) = self.value(depth + 1)? else {
                        return Err("dict key is not a string".into());
                    };
                    if !self.eat(b':') {
                        return Err("expected ':' in dict".into());
                    }
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                    if items.len() > MAX_ITEMS {
                        return Err("header dict is too long".into());
                    }
                    if !self.eat(b',') {
                        if self.eat(b'}') {
                            return Ok(Value::Dict(items));
                        }
                        return Err("expected ',' or '}' in dict".into());
                    }
                }
            }
            Some(open @ (b'(' | b'[')) => {
                self.i += 1;
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                loop {
                    if self.eat(close) {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    if items.len() > MAX_ITEMS {
                        return Err("header sequence is too long".into());
                    }
                    if !self.eat(b',') {
                        if self.eat(close) {
                            break;
                        }
                        return Err("expected ',' or closing bracket".into());
                    }
                }
                Ok(if open == b'(' { Value::Tuple(items) } else { Value::List(items) })
            }
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                let start = self.i;
                while let Some(c) = self.peek() {
                    if c == q {
                        let raw = self.s.get(start..self.i).unwrap_or(&[]);
                        self.i += 1;
                        return Ok(Value::Str(String::from_utf8_lossy(raw).into_owned()));
                    }
                    if c == b'\\' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                Err("unterminated string".into())
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let neg = c == b'-';
                if neg {
                    self.i += 1;
                }
                let mut n: i128 = 0;
                let mut any = false;
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    n = n
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(i128::from(d - b'0')))
                        .filter(|&n| n <= i128::from(u64::MAX))
                        .ok_or("integer too large")?;
                    any = true;
                    self.i += 1;
                }
                if !any {
                    return Err("malformed number".into());
                }
                if matches!(self.peek(), Some(b'L' | b'l')) {
                    self.i += 1; // Python 2 long suffix
                }
                Ok(Value::Int(if neg { -n } else { n }))
            }
            _ => {
                let rest = self.s.get(self.i..).unwrap_or(&[]);
                for (word, v) in [("True", Some(true)), ("False", Some(false)), ("None", None)] {
                    if rest.starts_with(word.as_bytes()) {
                        self.i += word.len();
                        return Ok(v.map_or(Value::None, Value::Bool));
                    }
                }
                Err(format!("unexpected character at offset {}", self.i))
            }
        }
    }
}
