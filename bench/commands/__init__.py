"""One service per CLI verb: each takes plain values, returns data, and raises BenchError."""
