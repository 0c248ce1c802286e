"""Tag vocabularies served by the tags-by-type endpoints, and the seed's old metrics list.

The ids are the Hub's real tag strings; labels are written here.
"""

from __future__ import annotations


def _group(kind: str, pairs: list[tuple[str, str]], sub: dict[str, str] | None = None) -> list[dict]:
    out = []
    for tag_id, label in pairs:
        item = {"id": tag_id, "label": label, "type": kind}
        if sub and tag_id in sub:
            item["subType"] = sub[tag_id]
        out.append(item)
    return out


PIPELINES = {
    "text-classification": ("Text Classification", "nlp"),
    "token-classification": ("Token Classification", "nlp"),
    "question-answering": ("Question Answering", "nlp"),
    "fill-mask": ("Fill-Mask", "nlp"),
    "summarization": ("Summarization", "nlp"),
    "translation": ("Translation", "nlp"),
    "text-generation": ("Text Generation", "nlp"),
    "sentence-similarity": ("Sentence Similarity", "nlp"),
    "feature-extraction": ("Feature Extraction", "multimodal"),
    "zero-shot-classification": ("Zero-Shot Classification", "nlp"),
    "image-classification": ("Image Classification", "cv"),
    "object-detection": ("Object Detection", "cv"),
    "image-segmentation": ("Image Segmentation", "cv"),
    "text-to-image": ("Text-to-Image", "multimodal"),
    "image-to-text": ("Image-to-Text", "multimodal"),
    "automatic-speech-recognition": ("Automatic Speech Recognition", "audio"),
    "text-to-speech": ("Text-to-Speech", "audio"),
    "audio-classification": ("Audio Classification", "audio"),
    "reinforcement-learning": ("Reinforcement Learning", "rl"),
    "tabular-classification": ("Tabular Classification", "tabular"),
}
LIBRARIES = {
    "transformers": "Transformers",
    "pytorch": "PyTorch",
    "tensorflow": "TensorFlow",
    "jax": "JAX",
    "safetensors": "Safetensors",
    "diffusers": "Diffusers",
    "sentence-transformers": "sentence-transformers",
    "timm": "timm",
    "gguf": "GGUF",
    "onnx": "ONNX",
    "peft": "PEFT",
    "spacy": "spaCy",
    "keras": "Keras",
    "scikit-learn": "Scikit-learn",
    "stable-baselines3": "stable-baselines3",
}
LANGUAGES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "zh": "Chinese",
    "ja": "Japanese",
    "ar": "Arabic",
    "hi": "Hindi",
    "pt": "Portuguese",
    "ru": "Russian",
    "ko": "Korean",
    "it": "Italian",
    "multilingual": "multilingual",
}
LICENSES = {
    "apache-2.0": "apache-2.0",
    "mit": "mit",
    "cc-by-4.0": "cc-by-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
    "openrail": "openrail",
    "llama3": "llama3",
    "gpl-3.0": "gpl-3.0",
    "bsd-3-clause": "bsd-3-clause",
    "other": "other",
}
DATASET_NAMES = ["squad", "glue", "imdb", "wikipedia", "bookcorpus", "common_voice", "mnist", "cifar10", "c4"]

MODEL_TAGS: dict[str, list[dict]] = {
    "pipeline_tag": [
        {"id": k, "label": label, "type": "pipeline_tag", "subType": sub} for k, (label, sub) in PIPELINES.items()
    ],
    "library": _group("library", list(LIBRARIES.items())),
    "dataset": _group("dataset", [(f"dataset:{d}", d) for d in DATASET_NAMES]),
    "language": _group("language", list(LANGUAGES.items())),
    "license": _group("license", [(f"license:{k}", v) for k, v in LICENSES.items()]),
    "region": _group("region", [("region:us", "🇺🇸 Region: US"), ("region:eu", "🇪🇺 Region: EU")]),
    "other": _group(
        "other",
        [
            ("endpoints_compatible", "Inference Endpoints"),
            ("text-generation-inference", "text-generation-inference"),
            ("autotrain_compatible", "AutoTrain Compatible"),
            ("conversational", "conversational"),
            ("lora", "lora"),
            ("exbert", "exbert"),
        ],
    ),
}

TASK_CATEGORIES = [
    "text-classification",
    "question-answering",
    "summarization",
    "translation",
    "text-generation",
    "image-classification",
    "object-detection",
    "automatic-speech-recognition",
    "tabular-classification",
    "token-classification",
]
DATASET_TAGS: dict[str, list[dict]] = {
    "task_categories": _group(
        "task_categories", [(f"task_categories:{t}", t.replace("-", " ").title()) for t in TASK_CATEGORIES]
    ),
    "size_categories": _group(
        "size_categories",
        [(f"size_categories:{s}", s) for s in ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "n>1T"]],
    ),
    "modality": _group(
        "modality", [(f"modality:{m}", m.title()) for m in ["text", "image", "audio", "tabular", "video"]]
    ),
    "format": _group("format", [(f"format:{f}", f) for f in ["parquet", "csv", "json", "imagefolder", "audiofolder"]]),
    "library": _group(
        "library", [(f"library:{lib}", lib) for lib in ["datasets", "pandas", "polars", "dask", "mlcroissant"]]
    ),
    "language": _group("language", [(f"language:{k}", v) for k, v in LANGUAGES.items()]),
    "license": _group("license", [(f"license:{k}", v) for k, v in LICENSES.items()]),
    "multilinguality": _group(
        "multilinguality",
        [("multilinguality:monolingual", "monolingual"), ("multilinguality:multilingual", "multilingual")],
    ),
    "region": _group("region", [("region:us", "🇺🇸 Region: US"), ("region:eu", "🇪🇺 Region: EU")]),
}

# The seed's `GET /api/metrics` shape, served only when the metrics switch is on.
METRICS = [
    {"id": name, "spaceId": f"evaluate-metric/{name}", "description": description}
    for name, description in [
        ("accuracy", "Accuracy is the proportion of correct predictions among all predictions."),
        ("bleu", "BLEU scores machine translation against reference translations."),
        ("f1", "The F1 score is the harmonic mean of precision and recall."),
        ("rouge", "ROUGE compares generated summaries against references."),
        ("wer", "Word error rate, the common metric for speech recognition."),
        ("exact_match", "The rate at which predictions exactly match their references."),
        ("perplexity", "Perplexity measures how well a language model predicts a sample."),
        ("squad", "The official metric of the SQuAD question-answering benchmark."),
    ]
]
