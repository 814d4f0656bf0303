-- wrk script for scenario (a): sends `GET <BENCH_PATH>` with `Host: <BENCH_HOST>`. Through a proxy,
-- BENCH_PATH is the absolute form (http://origin.bench:PORT/small); direct, it is just /small.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Host"] = os.getenv("BENCH_HOST")
