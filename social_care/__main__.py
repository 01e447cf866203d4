from social_care.cli import main

main()
