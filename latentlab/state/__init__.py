"""What the user is looking at, as Qt-free models with evented fields (psygnal).

The GUI binds thin widgets to these models (latentlab/gui); tests drive them with no window.
`app.AppState` is the root: the session (data, model, run, view) and one state model per panel,
and the rules that reset what derives from the data or the model when either changes.
"""
