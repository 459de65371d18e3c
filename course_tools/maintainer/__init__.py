"""What maintainers and CI run: never imported in a learner's kernel or stage check.

- `runner`: execute notebooks (`make build`, `course_tools run`), each in a clean copy if asked;
- `sync`: course_app/ is exactly what the notebooks write;
- `verify`: nbval over every notebook, each in its own copy or all in order;
- `edition`: the learner edition, with solutions and holes replaced by stubs;
- `validate` and `holes`: every exercise and every hole against its stub and its listed mistakes;
- `binder`: the Binder start-up, simulated in a fresh virtual environment;
- `browser`: every notebook in JupyterLab, in headless Chromium;
- `lock`: the pinned requirements for Binder.
"""
