"""Benchmarks of the course and its service, against real uvicorn servers on 127.0.0.1.

`make bench` (or `python -m benchmarks`) runs the service benchmarks; `make bench BENCH=all`
adds the course run, which takes minutes. See `benchmarks/__main__.py`.
"""
