module herald.io/e2e/labtools

go 1.24.0
