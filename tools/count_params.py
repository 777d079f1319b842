"""Counts the parameters of the presets published before publish counted
them (`publishing.count_params`) into their metrics.json, and corrects cards
that gave a GAN's count with its EMA generator (Keras' `count_params`). Run
once; rerunning writes the same counts.

  python tools/count_params.py
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tfgan_zoo import presets, publishing  # noqa: E402


def main():
    for name in presets.list_presets():
        model = presets.load(name)
        count, whole = publishing.count_params(model), model.count_params()

        def edit(card, metrics_json):
            row = re.compile(r"(\| family \| `\w+` \(\w+\), )[\d,]+( parameters \|)")
            return (row.sub(lambda m: f"{m[1]}{count:,}{m[2]}", card),
                    {**metrics_json, "params": count})

        publishing.rewrite(presets.resolve(name), edit)
        print(f"{name}: {count:,}" + (f" (the card said {whole:,})" if whole != count else ""))


if __name__ == "__main__":
    main()
